"""Charts drawn on the server as SVG: no JavaScript, sharp at any size, readable at 320 px wide.
Each is only a picture of a table the page also shows; this module works out where things go and
the templates in templates/figures/includes/ draw them."""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 260
RIGHT, TOP, BOTTOM = 12, 12, 36  # room for the dates (below)
# Room left of the plot for the value labels, from their length: at a phone's larger text (26 px in
# the chart's units, site.css) a character is up to about 17 units wide ("%" is wider than a digit).
CHARACTER_WIDTH, LABEL_GAP = 17, 12
# A line chart's last date is under its last point: it needs room to the right at a phone's larger text.
LINE_RIGHT = 32


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # what the bar is and its value, for the tooltip


@dataclass(frozen=True)
class Line:
    label: str
    points: str  # "x,y x,y ..." for a <polyline>
    dashed: bool


@dataclass(frozen=True)
class Chart:
    plot_left: float
    plot_right: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    view_box: str = f"0 0 {WIDTH} {HEIGHT}"
    plot_bottom: float = HEIGHT - BOTTOM


def count_scale_top(value: float) -> int:
    """The top of a scale of counts with four steps up to it: each step a whole 1, 2, 2.5 or 5 times
    a power of ten (never a fraction of a crime), the top close above the highest value."""
    wanted = max(value, 1) / 4
    power = 10 ** math.floor(math.log10(wanted))
    steps = (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10)
    step = next(step * power for step in steps if step * power >= wanted)
    return int(max(step, 1) * 4)


def _left(labels: list[str]) -> int:
    return LABEL_GAP + CHARACTER_WIDTH * max((len(label) for label in labels), default=1)


def _y(value: float, top_value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top_value)


def _y_ticks(top_value: float, label) -> list[Tick]:
    return [Tick(round(_y(top_value * n / 4, top_value), 1), label(top_value * n / 4)) for n in range(5)]


def bar_chart(labels: list[str], values: list[int], *, x_labels: list[str]) -> Chart:
    """A bar for each value (crimes in a month), left to right. x_labels has one entry for each bar:
    the text under it, or "" for none (a label for every month would not fit on a phone)."""
    top_value = count_scale_top(max(values, default=0))
    y_ticks = _y_ticks(top_value, lambda value: f"{value:,.0f}")
    left = _left([tick.label for tick in y_ticks])
    span = (WIDTH - left - RIGHT) / max(len(values), 1)
    bars, x_ticks = [], []
    for index, (label, value, x_label) in enumerate(zip(labels, values, x_labels, strict=True)):
        x = left + index * span
        y = _y(value, top_value)
        bars.append(
            Bar(
                round(x + span * 0.12, 1),
                round(y, 1),
                round(span * 0.76, 1),
                round(HEIGHT - BOTTOM - y, 1),
                f"{label}: {value:,}",
            )
        )
        if x_label:
            x_ticks.append(Tick(round(x + span / 2, 1), x_label))
    return Chart(plot_left=left, plot_right=WIDTH - RIGHT, y_ticks=y_ticks, x_ticks=x_ticks, bars=bars)


def line_chart(series: list[tuple[str, list[float | None]]], *, x_labels: list[str]) -> Chart:
    """A line for each series of proportions (0 to 1) over the same points in time, on a scale of
    0 to 100%; the first series solid, the others dashed. A None is a gap in its line (a series
    with gaps is drawn as several lines, each with the series' label)."""
    count = max((len(values) for _, values in series), default=0)
    y_ticks = _y_ticks(1, lambda value: f"{value:.0%}")
    left = _left([tick.label for tick in y_ticks])
    span = (WIDTH - left - LINE_RIGHT) / max(count - 1, 1)
    lines = []
    for index, (label, values) in enumerate(series):
        runs: list[list[str]] = [[]]  # a None ends one run of points; the next value starts another
        for n, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{left + n * span:.1f},{_y(value, 1):.1f}")
        lines += [Line(label, " ".join(run), dashed=index > 0) for run in runs if run]
    x_ticks = [Tick(round(left + n * span, 1), label) for n, label in enumerate(x_labels) if label]
    return Chart(plot_left=left, plot_right=WIDTH - LINE_RIGHT, y_ticks=y_ticks, x_ticks=x_ticks, lines=lines)
