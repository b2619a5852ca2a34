"""What a page shows of the published figures, worked out once here so the templates only lay it out:
percentages as people read them, the change on a year before in words, and the charts."""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from .charts import Chart, bar_chart, line_chart
from .crime_files import add_months
from .selectors import (
    ConfidenceQuarter,
    CrimeSeries,
    MeasureTrend,
    WardInBorough,
    borough_confidence,
    borough_crime,
    change_percent,
    crime_london,
    plain_name,
    ward_crime,
)

# Recorded crime ---------------------------------------------------------------------------------

# The Met's prevention advice for the kinds of crime it has pages on; the page links its index for
# the rest (templates/figures/includes/crime_help.html).
PREVENTION_ADVICE = {
    "BURGLARY": "https://www.met.police.uk/cp/crime-prevention/residential-burglary/",
    "VEHICLE OFFENCES": "https://www.met.police.uk/cp/crime-prevention/keeping-vehicles-safe/",
    "ROBBERY": "https://www.met.police.uk/cp/crime-prevention/personal-safety/",
    "THEFT": "https://www.met.police.uk/cp/crime-prevention/personal-safety/",
}


def crime_chart(series: CrimeSeries) -> Chart:
    """The monthly totals as bars, each January labelled with its year."""
    return bar_chart(
        [f"{month:%B %Y}" for month in series.months],
        series.totals,
        x_labels=[str(month.year) if month.month == 1 else "" for month in series.months],
    )


@dataclass(frozen=True)
class CrimeKind:
    """A kind of crime as residents read it: the Met's categories it renamed, added together."""

    group: str
    name: str
    counts: list[int]  # one for each of the series' months
    last_12: int
    previous_12: int | None

    @property
    def change_percent(self) -> int | None:
        return change_percent(self.last_12, self.previous_12)


def crime_kinds(series: CrimeSeries) -> list[CrimeKind]:
    """Each kind of crime month by month, with the latest 12 months and the 12 before, by group and
    then most first. Categories the Met renamed (one plain name in one group) count as one."""
    merged: dict[tuple[str, str], list[int]] = {}
    for category in series.categories:
        counts = merged.setdefault((category.group, category.name), [0] * len(series.months))
        merged[(category.group, category.name)] = [a + b for a, b in zip(counts, category.counts, strict=True)]
    latest, before = series.months_back(12) or slice(None), series.months_back(12, skip=12)
    kinds = [
        CrimeKind(group, name, counts, sum(counts[latest]), None if before is None else sum(counts[before]))
        for (group, name), counts in merged.items()
    ]
    return sorted(kinds, key=lambda kind: (kind.group, -kind.last_12, kind.name))


@dataclass(frozen=True)
class CrimeSummary:
    """What a ward's or a borough's page says about its recorded crime."""

    series: CrimeSeries
    chart: Chart
    last_12: int
    previous_12: int | None
    biggest: list[tuple[str, str, int]]  # (major, plain name, crimes in the latest 12 months), most first
    ward_average_borough: float
    ward_average_london: float
    wards: list[WardInBorough]  # for a borough: its wards, most crime in the latest 12 months first

    @property
    def first_month(self) -> datetime.date:
        return self.series.months[0]

    @property
    def last_month(self) -> datetime.date:
        return self.series.months[-1]

    @property
    def out_of_date(self) -> bool:
        """The latest month held is more than three months before this one: the Met publishes
        monthly, a month or so behind, so newer figures have not been imported."""
        return add_months(self.last_month, 3) < timezone.localdate().replace(day=1)

    @property
    def latest_count(self) -> int:
        """How many months "the latest 12 months" are: fewer only while fewer are held."""
        return min(12, len(self.series.months))

    @property
    def twelve_months_from(self) -> datetime.date:
        return self.series.months[-self.latest_count]

    @property
    def change_percent(self) -> int | None:
        return change_percent(self.last_12, self.previous_12)

    @property
    def advice(self) -> list[tuple[str, str]]:
        """(kind of crime, the Met's advice on it) for the biggest categories it has advice on, each
        page of advice once."""
        shown: dict[str, str] = {}
        for major, name, _ in self.biggest:
            if major in PREVENTION_ADVICE:
                shown.setdefault(PREVENTION_ADVICE[major], name)
        return [(name, address) for address, name in shown.items()]

    def kinds(self) -> list[CrimeKind]:
        return crime_kinds(self.series)


BIGGEST_SHOWN = 5


def _crime_summary(series: CrimeSeries, borough_code: str, wards: list[WardInBorough]) -> CrimeSummary:
    london = crime_london()
    latest = series.months_back(12) or slice(0, len(series.months))
    by_major: dict[str, int] = defaultdict(int)
    for category in series.categories:
        by_major[category.major] += sum(category.counts[latest])
    biggest = sorted(((count, major) for major, count in by_major.items() if count), key=lambda x: (-x[0], x[1]))
    return CrimeSummary(
        series=series,
        chart=crime_chart(series),
        last_12=series.total_in(latest),
        previous_12=series.total_in(series.months_back(12, skip=12)),
        biggest=[(major, plain_name(major), count) for count, major in biggest[:BIGGEST_SHOWN]],
        ward_average_borough=london["borough_average"].get(borough_code, 0),
        ward_average_london=london["london_average"],
        wards=wards,
    )


def ward_crime_summary(code: str, borough_code: str) -> CrimeSummary | None:
    """What a ward's page says of its recorded crime; None when no figures are held."""
    series = ward_crime(code)
    return None if series is None else _crime_summary(series, borough_code, [])


def borough_crime_summary(code: str) -> CrimeSummary | None:
    """The same for a borough (its wards added up), with its wards ranked; None when no figures are held."""
    found = borough_crime(code)
    return None if found is None else _crime_summary(found[0], code, found[1])


@dataclass(frozen=True)
class CrimeSince:
    """Recorded crime of some kinds in a ward over some months, against the same months a year before."""

    first_month: datetime.date
    last_month: datetime.date
    crimes: int
    year_before: int | None  # None where the site does not hold the months a year before
    before_agreed: bool  # no month since the date is published yet: these are the latest months
    names: list[str]  # the kinds counted, in plain words

    @property
    def change_percent(self) -> int | None:
        return change_percent(self.crimes, self.year_before)


RECENT_MONTHS = 3


def crime_since(series: CrimeSeries, names: set[str], since: datetime.date) -> CrimeSince | None:
    """Crimes of the kinds named in every whole month after `since` (a priority's agreement), and
    in the same months a year before. With no such month published yet, the latest months instead
    (before_agreed). None when no kinds are named or no months are held; a kind with no crimes counts 0.
    For a priority agreed before the first month held, the months counted start there."""
    if not names or not series.months:
        return None
    counts = series.counted(names)
    start = since.replace(day=1) if since.day == 1 else add_months(since.replace(day=1), 1)
    positions = [index for index, month in enumerate(series.months) if month >= start]
    before_agreed = not positions
    if before_agreed:
        positions = list(range(max(len(series.months) - RECENT_MONTHS, 0), len(series.months)))
    held = {month: index for index, month in enumerate(series.months)}
    earlier = [held.get(add_months(series.months[index], -12)) for index in positions]
    return CrimeSince(
        first_month=series.months[positions[0]],
        last_month=series.months[positions[-1]],
        crimes=sum(counts[index] for index in positions),
        year_before=None if None in earlier else sum(counts[index] for index in earlier),
        before_agreed=before_agreed,
        names=sorted({plain_name(name) for name in names}),
    )


# Public Attitude Survey --------------------------------------------------------------------------

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
