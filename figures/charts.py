"""Charts drawn on the server as SVG: no JavaScript, sharp at any size, readable at 320 px wide.
Each is only a picture of a table the page also shows; this module works out where things go and
the templates in templates/figures/includes/ draw them."""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 36  # room for the value labels (left) and the dates (below)
# A line chart's value labels run to "100%", and its last date is under its last point: both need
# more room than the bar chart's at a phone's larger text.
LINE_LEFT, LINE_RIGHT = 72, 32


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
    view_box: str
    plot_left: float
    plot_right: float
    plot_bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    bars: list[Bar]
    lines: list[Line]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 3, 4, 5, 6 or 8 times a power of ten at or above value: a round top for the
    scale, close above the highest value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 3, 4, 5, 6, 8, 10) if step * power >= value)


def _y(value: float, top_value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top_value)


def _y_ticks(top_value: float, label) -> list[Tick]:
    return [Tick(round(_y(top_value * n / 4, top_value), 1), label(top_value * n / 4)) for n in range(5)]


def _count(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def bar_chart(labels: list[str], values: list[int], *, x_labels: list[str]) -> Chart:
    """A bar for each value (crimes in a month), left to right. x_labels has one entry for each bar:
    the text under it, or "" for none (a label for every month would not fit on a phone)."""
    top_value = nice_ceiling(max(values, default=0))
    span = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    bars, x_ticks = [], []
    for index, (label, value, x_label) in enumerate(zip(labels, values, x_labels, strict=True)):
        x = LEFT + index * span
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
    return Chart(
        view_box=f"0 0 {WIDTH} {HEIGHT}",
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=HEIGHT - BOTTOM,
        y_ticks=_y_ticks(top_value, _count),
        x_ticks=x_ticks,
        bars=bars,
        lines=[],
    )


def line_chart(series: list[tuple[str, list[float | None]]], *, x_labels: list[str]) -> Chart:
    """A line for each series of proportions (0 to 1) over the same points in time, on a scale of
    0 to 100%; the first series solid, the others dashed. A None is a gap in its line (a series
    with gaps is drawn as several lines, each with the series' label)."""
    count = max((len(values) for _, values in series), default=0)
    span = (WIDTH - LINE_LEFT - LINE_RIGHT) / max(count - 1, 1)
    lines = []
    for index, (label, values) in enumerate(series):
        runs: list[list[str]] = [[]]  # a None ends one run of points; the next value starts another
        for n, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{LINE_LEFT + n * span:.1f},{_y(value, 1):.1f}")
        lines += [Line(label, " ".join(run), dashed=index > 0) for run in runs if run]
    x_ticks = [Tick(round(LINE_LEFT + n * span, 1), label) for n, label in enumerate(x_labels) if label]
    return Chart(
        view_box=f"0 0 {WIDTH} {HEIGHT}",
        plot_left=LINE_LEFT,
        plot_right=WIDTH - LINE_RIGHT,
        plot_bottom=HEIGHT - BOTTOM,
        y_ticks=_y_ticks(1, lambda value: f"{value:.0%}"),
        x_ticks=x_ticks,
        bars=[],
        lines=lines,
    )
