"""Reads of the published figures that pages, APIs and newsletters share, kept in the cache until
the next import."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from geography.models import PoliceForce, Ward
from sn_site.cache import kept

from .crime_files import add_months
from .models import ConfidenceMeasure, CrimeMonth, WardCrime

# Recorded crime ---------------------------------------------------------------------------------

# Started afresh when crime figures are imported: whatever is built from them.
CRIME_GENERATION = "crime"
CRIME_SOURCE = (
    "Metropolitan Police Service, recorded crime by ward (MPS Ward Level Crime), published on the London "
    "Datastore under the Open Government Licence."
)
# Plain words for the MPS's categories, for residents; the API and the tables also give the MPS's own.
PLAIN_NAMES = {
    "ARSON AND CRIMINAL DAMAGE": "Arson and criminal damage",
    "BURGLARY": "Burglary",
    "DRUG OFFENCES": "Drug offences",
    "FRAUD AND FORGERY": "Fraud and forgery",
    "MISCELLANEOUS CRIMES AGAINST SOCIETY": "Other crimes against society",
    "NFIB FRAUD": "Fraud reported to Action Fraud",
    "POSSESSION OF WEAPONS": "Possession of weapons",
    "PUBLIC ORDER OFFENCES": "Public order offences",
    "ROBBERY": "Robbery",
    "SEXUAL OFFENCES": "Sexual offences",
    "THEFT": "Theft",
    "VEHICLE OFFENCES": "Vehicle crime",
    "VIOLENCE AGAINST THE PERSON": "Violence against the person",
    "ARSON": "Arson",
    "CRIMINAL DAMAGE": "Criminal damage",
    # The Met renamed its burglary categories in 2023 and 2024: the old names and the new, for the same things.
    "BURGLARY IN A DWELLING": "Burglary of a home",
    "BURGLARY - RESIDENTIAL": "Burglary of a home",
    "BURGLARY NON-DWELLING": "Burglary of a business or community building",
    "BURGLARY BUSINESS AND COMMUNITY": "Burglary of a business or community building",
    "RES BURGLARY OF A HOME": "Burglary of a home",
    "RES BURGLARY OF UNCONNECTED BUILDING": "Burglary of a shed, garage or outbuilding",
    "POSSESSION OF DRUGS": "Possession of drugs",
    "TRAFFICKING OF DRUGS": "Drug dealing (trafficking)",
    "MISC CRIMES AGAINST SOCIETY": "Other crimes against society",
    "NFIB": "Fraud reported to Action Fraud",
    "OTHER OFFENCES PUBLIC ORDER": "Other public order offences",
    "PUBLIC FEAR ALARM OR DISTRESS": "Causing fear, alarm or distress",
    "RACE OR RELIGIOUS AGG PUBLIC FEAR": "Racially or religiously aggravated public fear",
    "VIOLENT DISORDER": "Violent disorder",
    "ROBBERY OF BUSINESS PROPERTY": "Robbery of business property",
    "ROBBERY OF PERSONAL PROPERTY": "Robbery of personal property",
    "OTHER SEXUAL OFFENCES": "Other sexual offences",
    "RAPE": "Rape",
    "BICYCLE THEFT": "Bicycle theft",
    "OTHER THEFT": "Other theft",
    "SHOPLIFTING": "Shoplifting",
    "THEFT FROM THE PERSON": "Theft from the person (such as pickpocketing)",
    "AGGRAVATED VEHICLE TAKING": "Aggravated vehicle taking",
    "INTERFERING WITH A MOTOR VEHICLE": "Interfering with a motor vehicle",
    "THEFT FROM A VEHICLE": "Theft from a vehicle",
    "THEFT OR UNAUTH TAKING OF A MOTOR VEH": "Theft of a vehicle",
    "DEATH SERIOUS INJURY ILLEGAL DRIVING": "Death or serious injury by illegal driving",
    "HOMICIDE": "Homicide",
    "STALKING AND HARASSMENT": "Stalking and harassment",
    "VIOLENCE WITH INJURY": "Violence with injury",
    "VIOLENCE WITHOUT INJURY": "Violence without injury",
}


def plain_name(name: str) -> str:
    return PLAIN_NAMES.get(name, name.capitalize())


@dataclass(frozen=True)
class CrimeCategory:
    major: str
    minor: str
    counts: list[int]  # one for each of the series' months

    @property
    def name(self) -> str:
        return plain_name(self.minor)

    @property
    def group(self) -> str:
        return plain_name(self.major)


def change_percent(now: int, before: int | None) -> int | None:
    """The change from before to now, in whole percent; None where there is nothing to compare with."""
    if not before:
        return None
    return round(100 * (now - before) / before)


@dataclass(frozen=True)
class CrimeSeries:
    """Crimes recorded in an area each month the site holds, oldest first, in total and by category."""

    months: list[datetime.date]
    totals: list[int]
    categories: list[CrimeCategory]

    def months_back(self, count: int, *, skip: int = 0) -> slice | None:
        """The positions of `count` months ending `skip` months before the latest; None if not all held."""
        end = len(self.months) - skip
        return slice(end - count, end) if end - count >= 0 else None

    def total_in(self, months: slice | None) -> int | None:
        return None if months is None else sum(self.totals[months])

    def by_month(self) -> list[tuple[datetime.date, int]]:
        return list(zip(self.months, self.totals, strict=True))

    def counted(self, names: set[str]) -> list[int]:
        """Each month's crimes in the categories named (MPS major or minor names)."""
        sums = [0] * len(self.months)
        for category in self.categories:
            if category.major in names or category.minor in names:
                sums = [a + b for a, b in zip(sums, category.counts, strict=True)]
        return sums


def crime_months() -> list[datetime.date]:
    """The months held, oldest first: the latest unbroken run of them (figures from before a gap,
    should a refresh have been missed for longer than a release covers, are not shown beside them)."""
    return kept("figures:crime-months", _crime_months_build, generations_of=[CRIME_GENERATION], timeout=86400)


def _crime_months_build() -> list[datetime.date]:
    months = list(CrimeMonth.objects.values_list("month", flat=True))
    start = len(months)
    while start > 0 and (start == len(months) or add_months(months[start - 1], 1) == months[start]):
        start -= 1
    return months[start:]


def crime_london() -> dict:
    """What every page of figures compares with, built once per import: the months held, each Met
    ward's crimes in the latest 12 of them, and the average ward's in London and in each borough."""
    return kept("figures:crime-london", _crime_london_build, generations_of=[CRIME_GENERATION], timeout=86400)


def _crime_london_build() -> dict:
    months = crime_months()
    latest = months[-12:]
    wards = dict(Ward.objects.filter(borough__police_force=PoliceForce.METROPOLITAN).values_list("code", "borough_id"))
    last_12 = dict.fromkeys(wards, 0)
    for row in WardCrime.objects.filter(month__in=latest).values("ward_id").annotate(crimes=Sum("total")).order_by():
        if row["ward_id"] in last_12:
            last_12[row["ward_id"]] = row["crimes"]
    in_borough = defaultdict(list)
    for ward, borough in wards.items():
        in_borough[borough].append(last_12[ward])
    return {
        "months": months,
        "ward_last_12": last_12,
        "london_average": sum(last_12.values()) / len(last_12) if last_12 else 0,
        "borough_average": {borough: sum(counts) / len(counts) for borough, counts in in_borough.items()},
    }


def _series(rows, months: list[datetime.date]) -> CrimeSeries:
    """A series from (month, counts) rows: each month's {major: {minor: n}}, added up."""
    position = {month: index for index, month in enumerate(months)}
    totals = [0] * len(months)
    by_category: dict[tuple[str, str], list[int]] = {}
    for month, counts in rows:
        index = position.get(month)
        if index is None:
            continue
        for major, minors in counts.items():
            for minor, count in minors.items():
                by_category.setdefault((major, minor), [0] * len(months))[index] += count
                totals[index] += count
    categories = [CrimeCategory(major, minor, counts) for (major, minor), counts in sorted(by_category.items())]
    return CrimeSeries(months, totals, categories)


def ward_crime(code: str) -> CrimeSeries | None:
    """A ward's recorded crime, every month held; None when no figures are held at all."""
    months = crime_months()
    if not months:
        return None
    return _series(WardCrime.objects.filter(ward_id=code).values_list("month_id", "counts"), months)


def wards_crime(codes) -> dict[str, CrimeSeries]:
    """Several wards' recorded crime in one query, by ward code; empty when no figures are held."""
    months = crime_months()
    if not months:
        return {}
    rows: dict[str, list] = {code: [] for code in codes}
    for ward, month, counts in WardCrime.objects.filter(ward_id__in=list(rows)).values_list(
        "ward_id", "month_id", "counts"
    ):
        rows[ward].append((month, counts))
    return {code: _series(found, months) for code, found in rows.items()}


@dataclass(frozen=True)
class WardInBorough:
    code: str
    name: str
    last_12_months: int


def borough_crime(code: str) -> tuple[CrimeSeries, list[WardInBorough]] | None:
    """A borough's recorded crime (its wards' added up), and its wards with their crimes in the
    latest 12 months, most first; None when no figures are held."""
    london = crime_london()
    if not london["months"]:
        return None
    rows = WardCrime.objects.filter(ward__borough_id=code).values_list("month_id", "counts")
    wards = [
        WardInBorough(ward, name, london["ward_last_12"].get(ward, 0))
        for ward, name in Ward.objects.filter(borough_id=code).values_list("code", "name")
    ]
    wards.sort(key=lambda ward: (-ward.last_12_months, ward.name))
    return _series(rows, london["months"]), wards


# Public Attitude Survey --------------------------------------------------------------------------
# The cached figures of every page and API built from the survey's table start afresh on each import.
CONFIDENCE_GENERATION = "confidence"
CONFIDENCE_CACHE_SECONDS = 24 * 3600  # an import starts them afresh; this only bounds a lost signal

# MOPAC's measures, in the order pages show them, each with what it means in plain words (the
# proportion of residents who, in the survey's questions about the police in their area, ...).
CONFIDENCE_MEASURES = {
    '"Good Job" local': "Think the police do a good job in their local area",
    "Trust MPS": "Trust the Met, London's police",
    "Relied on to be there": "Agree the police can be relied on to be there when needed",
    "Treat everyone fairly": "Agree the police treat everyone fairly, whoever they are",
    "Listen to concerns": "Agree the police listen to the concerns of local people",
    "Understand issues": "Agree the police understand the issues that affect their community",
    "Informed local": "Feel well informed about what the police have been doing locally",
    "Contact ward officer": "Know how to contact their local ward officer",
}
_BOROUGH_CODE = re.compile(r"E09\d{6}")


@dataclass(frozen=True)
class ConfidenceQuarter:
    quarter_end: datetime.date
    borough: float
    london: float


@dataclass(frozen=True)
class MeasureTrend:
    """One measure for one borough, quarter by quarter, oldest first."""

    measure: str  # as MOPAC names it
    label: str  # what it means, in plain words
    quarters: list[ConfidenceQuarter]

    @property
    def latest(self) -> ConfidenceQuarter:
        return self.quarters[-1]

    @property
    def year_before(self) -> ConfidenceQuarter | None:
        """The quarter a year before the latest, to compare with (the same months of the year)."""
        latest = self.latest.quarter_end
        wanted = latest.replace(year=latest.year - 1)
        return next((q for q in self.quarters if q.quarter_end == wanted), None)


@dataclass(frozen=True)
class BoroughConfidence:
    borough: str  # its code
    measures: list[MeasureTrend]

    @property
    def latest_quarter(self) -> datetime.date | None:
        return max((m.latest.quarter_end for m in self.measures), default=None)


def _measure_order(measure: str) -> tuple:
    known = list(CONFIDENCE_MEASURES)
    return (known.index(measure), "") if measure in known else (len(known), measure)


def _borough_confidence_build(code: str) -> BoroughConfidence:
    quarters: dict[str, list[ConfidenceQuarter]] = defaultdict(list)
    rows = (
        ConfidenceMeasure.objects.filter(borough_id=code)
        .order_by("quarter_end")
        .values_list("measure", "quarter_end", "proportion", "london_proportion")
    )
    for measure, quarter_end, proportion, london in rows:
        quarters[measure].append(ConfidenceQuarter(quarter_end, proportion, london))
    measures = [
        MeasureTrend(measure, CONFIDENCE_MEASURES.get(measure, measure), quarters[measure])
        for measure in sorted(quarters, key=_measure_order)
    ]
    return BoroughConfidence(borough=code, measures=measures)


def borough_confidence(code: str) -> BoroughConfidence | None:
    """What the borough's residents told the Public Attitude Survey, measure by measure (in the
    order of CONFIDENCE_MEASURES, any other after them), with London's beside it; None when the
    site holds no figures for it (an unknown code, the City of London, nothing imported yet)."""
    if not _BOROUGH_CODE.fullmatch(code or ""):
        return None
    confidence = kept(
        f"confidence:borough:{code}",
        lambda: _borough_confidence_build(code),
        generations_of=[CONFIDENCE_GENERATION],
        timeout=CONFIDENCE_CACHE_SECONDS,
    )
    return confidence if confidence.measures else None
