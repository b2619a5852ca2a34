"""What a page shows of the published figures, worked out once here so the templates only lay it out:
percentages as people read them, the change on a year before in words, and the charts."""

import datetime
import math
from dataclasses import dataclass

from .charts import Chart, line_chart
from .selectors import ConfidenceQuarter, MeasureTrend, borough_confidence

MOST_YEAR_LABELS = 5  # under a chart: more would not fit at 320 px


def percent(proportion: float) -> int:
    """0.56 as 56: MOPAC gives two decimals, so this is exact."""
    return round(proportion * 100)


@dataclass(frozen=True)
class QuarterShown:
    quarter_end: datetime.date
    borough: int  # percent
    london: int


@dataclass(frozen=True)
class MeasureShown:
    measure: str
    label: str
    phrase: str  # the label to follow "residents who"
    anchor: str  # the id of its heading
    borough: int  # the latest quarter, percent
    london: int
    year_before: int | None  # percent, the same quarter a year before
    change: str  # on a year before, in words
    change_short: str  # the same, for a table: "up 4", "down 2", "no change"
    chart: Chart
    chart_title: str
    rows: list[QuarterShown]  # newest first


@dataclass(frozen=True)
class ConfidenceSection:
    borough: str  # its name
    latest_quarter: datetime.date
    first_quarter: datetime.date
    measures: list[MeasureShown]


def _change(trend: MeasureTrend) -> str:
    before = trend.year_before
    if before is None:
        return "No figure for a year before"
    points = percent(trend.latest.borough) - percent(before.borough)
    if points == 0:
        return f"No change from a year before ({percent(before.borough)}%)"
    direction = "Up" if points > 0 else "Down"
    unit = "percentage point" if abs(points) == 1 else "percentage points"
    return f"{direction} {abs(points)} {unit} from {percent(before.borough)}% a year before"


def _change_short(trend: MeasureTrend) -> str:
    before = trend.year_before
    if before is None:
        return ""
    points = percent(trend.latest.borough) - percent(before.borough)
    return "no change" if points == 0 else f"{'up' if points > 0 else 'down'} {abs(points)}"


def _year_labels(quarters: list[datetime.date]) -> list[str]:
    """The year under each December quarter, counting back from the latest, every year or every
    few so that no more than MOST_YEAR_LABELS are shown."""
    decembers = [n for n, quarter in enumerate(quarters) if quarter.month == 12]
    step = max(1, math.ceil(len(decembers) / MOST_YEAR_LABELS))
    shown = set(decembers[::-1][::step])
    return [str(quarter.year) if n in shown else "" for n, quarter in enumerate(quarters)]


def confidence_section(code: str, name: str) -> ConfidenceSection | None:
    """The borough page's section on what its residents told the Public Attitude Survey, or None
    when the site holds no figures for it."""
    confidence = borough_confidence(code)
    if confidence is None:
        return None
    quarters = sorted({q.quarter_end for trend in confidence.measures for q in trend.quarters})
    x_labels = _year_labels(quarters)
    shown = []
    for number, trend in enumerate(confidence.measures, start=1):
        by_quarter: dict[datetime.date, ConfidenceQuarter] = {q.quarter_end: q for q in trend.quarters}
        chart = line_chart(
            [
                (name, [by_quarter[q].borough if q in by_quarter else None for q in quarters]),
                ("London", [by_quarter[q].london if q in by_quarter else None for q in quarters]),
            ],
            x_labels=x_labels,
        )
        first, last = trend.quarters[0].quarter_end, trend.latest.quarter_end
        phrase = trend.label[:1].lower() + trend.label[1:]
        shown.append(
            MeasureShown(
                measure=trend.measure,
                label=trend.label,
                phrase=phrase,
                anchor=f"confidence-{number}",
                borough=percent(trend.latest.borough),
                london=percent(trend.latest.london),
                year_before=percent(trend.year_before.borough) if trend.year_before else None,
                change=_change(trend),
                change_short=_change_short(trend),
                chart=chart,
                chart_title=(
                    f"Line chart: residents who {phrase}, {name} (solid line) "
                    f"and all London (dashed line), in the 12 months to each quarter from {first:%B %Y} to "
                    f"{last:%B %Y}. The figures are in the table below the chart."
                ),
                rows=[
                    QuarterShown(q.quarter_end, percent(q.borough), percent(q.london)) for q in reversed(trend.quarters)
                ],
            )
        )
    return ConfidenceSection(
        borough=name, latest_quarter=confidence.latest_quarter, first_quarter=quarters[0], measures=shown
    )
