"""The server-drawn charts: whole numbers on a count's scale, and room for its labels."""

import pytest

from figures.charts import CHARACTER_WIDTH, bar_chart


@pytest.mark.parametrize(
    ("highest", "top"), [(0, 4), (3, 4), (7, 8), (305, 400), (3_800, 4_000), (9_100, 10_000), (22_123, 40_000)]
)
def test_a_count_scale_has_whole_steps_just_above_the_highest_value(highest, top):
    chart = bar_chart(["a", "b"], [0, highest], x_labels=["", ""])
    labels = [tick.label for tick in chart.y_ticks]
    assert labels[-1] == f"{top:,}"
    assert all(label.replace(",", "").isdigit() for label in labels)  # never "2.5" crimes


def test_the_value_labels_have_room_left_of_the_bars_at_a_phones_text_size():
    chart = bar_chart(["a"], [3_800], x_labels=["2024"])
    longest = max(len(tick.label) for tick in chart.y_ticks)  # "4,000"
    assert chart.plot_left >= longest * CHARACTER_WIDTH
    assert min(bar.x for bar in chart.bars) >= chart.plot_left
