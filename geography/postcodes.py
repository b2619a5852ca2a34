"""Reading what a person types into a postcode box.

A UK postcode is an outward code (area and district, "SW1A") and an inward code (sector digit and
unit, "1AA"). People type them in any case, with or without the space, sometimes only the first
half. Everything here is pure string work, so it is cheap and safe on any input.
"""

import re
import string
from dataclasses import dataclass

# Longest text worth reading: a full postcode with generous stray spacing.
MAX_INPUT_LENGTH = 64

OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL = re.compile(rf"({OUTWARD})([0-9][A-Z]{{2}})")
_OUTWARD = re.compile(OUTWARD)
_SECTOR_SPACED = re.compile(rf"({OUTWARD}) ([0-9])")
_SECTOR_COMPACT = re.compile(rf"({OUTWARD})([0-9])")
_AREA = re.compile(r"[A-Z]+")
# A district that may be split into lettered sub-districts: one or two letters and one digit.
_SPLITTABLE_DISTRICT = re.compile(r"[A-Z]{1,2}[0-9]")

# The postcode areas that hold London's postcodes: those of the OS Code-Point Open area files with a
# London row (2025.4; its README lists them, and tests/geography/test_london.py checks them against
# the release). A postcode in any other area is outside London. Some of these areas (CM, KT, TN, WD)
# reach well beyond London, so a postcode in them that is not found may simply be outside it.
LONDON_POSTCODE_AREAS = frozenset(
    {"BR", "CM", "CR", "DA", "E", "EC", "EN", "HA", "IG", "KT", "N", "NW", "RM", "SE", "SM", "SW", "TN"}
    | {"TW", "UB", "W", "WC", "WD"}
)


# Every postcode area: Great Britain's 120, as OS Code-Point Open lists them (its Doc/metadata.txt;
# tests/geography/test_london.py checks them against the release), Northern Ireland's BT, and GY, JE
# and IM, the Crown Dependencies' areas in the same Royal Mail system. A postcode in none of them is
# not found anywhere, rather than outside London.
UK_POSTCODE_AREAS = frozenset(
    {"AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH", "CM"}
    | {"CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EH"}
    | {"EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG"}
    | {"IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL", "LN", "LS", "LU", "M"}
    | {"ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO"}
    | {"PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST"}
    | {"SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN"}
    | {"WR", "WS", "WV", "YO", "ZE"}
)


class PostcodeError(ValueError):
    """The text is not a postcode, nor the first part of one."""


class EmptyPostcode(PostcodeError):
    """Nothing was typed at all."""


@dataclass(frozen=True)
class PostcodeQuery:
    """What the text asked for: one unit, a sector, or a whole district."""

    kind: str  # "full", "sector" or "outward"
    value: str  # formatted: "SW1A 1AA", "SE15 5" or "SE15"

    @property
    def area(self) -> str:
        """The postcode area, the letters it starts with: "SW" for "SW1A 1AA", "E" for "E1W"."""
        return _AREA.match(self.value).group()


_IN_TEXT = re.compile(rf"\b({OUTWARD}) ?([0-9][A-Z]{{2}})\b")


def postcodes_in_text(text: str) -> list[str]:
    """The full postcodes written in a piece of text such as an address, formatted, in order:
    'Peckham Library, 122 Peckham Hill St, se15 5jr' -> ['SE15 5JR']."""
    return [f"{outward} {inward}" for outward, inward in _IN_TEXT.findall(text.upper())]


def format_postcode(text: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA' (no validation: callers parse first)."""
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}"


def parse_postcode_query(text: str) -> PostcodeQuery:
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        raise PostcodeError("too long")
    spaced = " ".join(text.upper().split())
    compact = spaced.replace(" ", "")
    if not compact:
        raise EmptyPostcode("empty")
    if len(compact) > 7 or not compact.isascii():
        raise PostcodeError("not a postcode")
    if _FULL.fullmatch(compact):
        return PostcodeQuery("full", format_postcode(compact))
    # "SE1 5" is a sector of SE1; "SE15" (no space) is the district SE15.
    if match := _SECTOR_SPACED.fullmatch(spaced):
        return PostcodeQuery("sector", f"{match.group(1)} {match.group(2)}")
    if _OUTWARD.fullmatch(compact):
        return PostcodeQuery("outward", compact)
    if match := _SECTOR_COMPACT.fullmatch(compact):
        return PostcodeQuery("sector", f"{match.group(1)} {match.group(2)}")
    raise PostcodeError("not a postcode")


def is_postcode_query(text: str) -> bool:
    """Whether text asks for a place by postcode, for the postcode lookup rather than a search for
    words: a full postcode, or the first part of one in London's postcode areas (the A406 and the
    M25 are roads, not districts)."""
    try:
        query = parse_postcode_query(text)
    except PostcodeError:
        return False
    return query.kind == "full" or query.area in LONDON_POSTCODE_AREAS


def outward_codes_of_district(district: str) -> list[str]:
    """The outward codes a district asked for by itself covers: itself and, for one split into
    lettered sub-districts, each of those ("SW1": "SW1A" to "SW1Y"; "E1": "E1" and "E1W"), so
    never "SW10". A sub-district ("E1W") or a two-digit district ("SE15") is only itself."""
    if _SPLITTABLE_DISTRICT.fullmatch(district):
        return [district, *(district + letter for letter in string.ascii_uppercase)]
    return [district]


def outward_and_sector(postcode: str) -> tuple[str, str]:
    """'SW1A 1AA' -> ('SW1A', 'SW1A 1')."""
    outward, inward = postcode.split(" ")
    return outward, f"{outward} {inward[0]}"
