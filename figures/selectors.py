"""Reads of the published figures that pages, APIs and newsletters share, kept in the cache until
the next import."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from sn_site.cache import kept

from .models import ConfidenceMeasure

# Recorded crime ---------------------------------------------------------------------------------


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
