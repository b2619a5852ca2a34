import pytest
from hypothesis import given
from hypothesis import strategies as st

from geography.postcodes import (
    LONDON_POSTCODE_AREAS,
    UK_POSTCODE_AREAS,
    EmptyPostcode,
    PostcodeError,
    PostcodeQuery,
    format_postcode,
    is_postcode_query,
    outward_codes_of_district,
    parse_postcode_query,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SW1A 1AA", PostcodeQuery("full", "SW1A 1AA")),
        ("sw1a1aa", PostcodeQuery("full", "SW1A 1AA")),
        ("  Sw1A   1aA \t", PostcodeQuery("full", "SW1A 1AA")),
        ("e16an", PostcodeQuery("full", "E1 6AN")),
        ("SE15", PostcodeQuery("outward", "SE15")),
        (" se15 ", PostcodeQuery("outward", "SE15")),
        ("SE 15", PostcodeQuery("outward", "SE15")),
        ("SE15 5", PostcodeQuery("sector", "SE15 5")),
        ("se155", PostcodeQuery("sector", "SE15 5")),
        ("SE1 5", PostcodeQuery("sector", "SE1 5")),
        ("SW1A1", PostcodeQuery("sector", "SW1A 1")),
        ("EC2V", PostcodeQuery("outward", "EC2V")),
    ],
)
def test_what_people_type_is_understood(typed, expected):
    assert parse_postcode_query(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "hello", "12345", "SW1A 1AAA", "SW1A-1AA", "SW1A\x001AA", "ＳＷ1A 1AA", "SE15 5D", "x" * 5000, "1AA"],
)
def test_things_that_are_not_postcodes_are_refused(typed):
    with pytest.raises(PostcodeError):
        parse_postcode_query(typed)


@pytest.mark.parametrize("typed", ["", "   ", "\t\n"])
def test_nothing_typed_is_told_apart_from_a_mistake(typed):
    with pytest.raises(EmptyPostcode):
        parse_postcode_query(typed)


@pytest.mark.parametrize(
    ("typed", "is_an_area"),
    [("XX1 1XX", False), ("QA1", False), ("M1 1AE", True), ("BT1 1AA", True), ("ZE1 0AX", True), ("JE2 3AB", True)],
)
def test_a_postcode_area_is_one_the_royal_mail_uses(typed, is_an_area):
    assert (parse_postcode_query(typed).area in UK_POSTCODE_AREAS) is is_an_area


def test_londons_postcode_areas_are_uk_postcode_areas():
    assert LONDON_POSTCODE_AREAS < UK_POSTCODE_AREAS


@pytest.mark.parametrize(
    ("typed", "area", "in_london"),
    [("SW1A 1AA", "SW", True), ("e1w", "E", True), ("N1C 4", "N", True), ("M1 1AE", "M", False), ("CF10", "CF", False)],
)
def test_each_query_knows_its_postcode_area(typed, area, in_london):
    query = parse_postcode_query(typed)

    assert query.area == area
    assert (query.area in LONDON_POSTCODE_AREAS) is in_london


@pytest.mark.parametrize(
    ("district", "included", "left_out"),
    [
        ("SW1", {"SW1", "SW1A", "SW1E", "SW1Y"}, {"SW10", "SW19"}),
        ("E1", {"E1", "E1W"}, {"E10", "E18"}),
        ("N1", {"N1", "N1C", "N1P"}, {"N10"}),
        ("W1", {"W1", "W1A", "W1K"}, {"W10"}),
        ("EC4", {"EC4", "EC4A", "EC4Y"}, set()),
    ],
)
def test_a_district_with_lettered_sub_districts_covers_them(district, included, left_out):
    codes = set(outward_codes_of_district(district))

    assert included <= codes
    assert not left_out & codes


@pytest.mark.parametrize("district", ["E1W", "SW1A", "SE15", "EC2V", "NW10"])
def test_a_sub_district_or_two_digit_district_is_only_itself(district):
    assert outward_codes_of_district(district) == [district]


@pytest.mark.parametrize(
    ("typed", "is_postcode"),
    [
        ("SW1A 1AA", True),
        ("m1 1ae", True),  # a full postcode anywhere: the lookup says where it is
        ("SE15", True),
        ("E1W", True),
        ("SE15 5", True),
        ("A406", False),  # roads, not districts
        ("M25", False),
        ("A2", False),
        ("knife crime", False),
        ("", False),
    ],
)
def test_a_postcode_query_is_a_full_postcode_or_part_of_a_london_one(typed, is_postcode):
    assert is_postcode_query(typed) is is_postcode


def test_published_padding_is_normalised():
    # Code-Point Open pads short outward codes to seven characters.
    assert format_postcode("E1  6AN") == "E1 6AN"
    assert format_postcode("SW1A1AA") == "SW1A 1AA"


@given(st.text(max_size=80))
def test_any_text_either_parses_or_raises_a_postcode_error(text):
    try:
        query = parse_postcode_query(text)
    except PostcodeError:
        return
    assert query.kind in {"full", "sector", "outward"}
    assert query.value == query.value.upper().strip()


# A postcode as the Royal Mail writes it: outward code (area, district) and inward code (sector, unit).
_AREA = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUWYZ", min_size=1, max_size=2)
_DISTRICT = st.tuples(st.integers(0, 9).map(str), st.sampled_from(["", *"0123456789", *"ABCDEFGHJKMNPRSTUVWXY"]))
_INWARD = st.tuples(st.integers(0, 9).map(str), st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2))
POSTCODES = st.builds(lambda a, d, i: (a + d[0] + d[1], i[0] + i[1]), _AREA, _DISTRICT, _INWARD)


def _as_typed(draw_case, text: str) -> str:
    return "".join(c.lower() if flip else c for c, flip in zip(text, draw_case, strict=False))


@given(
    POSTCODES,
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.text(" ", max_size=3),
)
def test_any_postcode_however_typed_is_understood_as_itself(postcode, cases, gap, padding):
    outward, inward = postcode
    canonical = f"{outward} {inward}"
    typed = padding + _as_typed(cases, outward) + gap + _as_typed(cases[4:], inward) + padding

    query = parse_postcode_query(typed)

    assert query == PostcodeQuery("full", canonical)
    assert is_postcode_query(typed)
    assert parse_postcode_query(query.value) == query  # normalising twice changes nothing
    assert format_postcode(outward + inward) == canonical
    # The outward code alone, and with its sector digit, are the partial queries of the same place.
    assert parse_postcode_query(_as_typed(cases, outward)) == PostcodeQuery("outward", outward)
    if gap:  # run together, "E10" is the district E10, not the sector E1 0
        assert parse_postcode_query(f"{outward}{gap}{inward[0]}") == PostcodeQuery("sector", f"{outward} {inward[0]}")


@given(_AREA, _DISTRICT, _INWARD)
def test_a_postcode_belongs_to_its_area_and_to_its_district(area, district, inward):
    digit, letter_or_digit = district
    outward = area + digit + letter_or_digit
    parent = area + digit if letter_or_digit.isalpha() else outward  # SW1A is part of SW1; SW19 is not

    query = parse_postcode_query(f"{outward} {''.join(inward)}")

    assert query.area == area
    codes = outward_codes_of_district(parent)
    assert outward in codes
    assert all(code.startswith(parent) and code[len(parent) :].isalpha() for code in codes if code != parent)
