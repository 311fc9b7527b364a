import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables.operands import in_values, iso_date, kind_of, like_to_glob


def test_like_wildcards_become_glob_wildcards_and_glob_characters_become_literals() -> None:
    assert like_to_glob("a%b_c") == "a*b?c"
    assert like_to_glob("*?[x]") == "[*][?][[]x]"


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-05-01", "2024-05-01 00:00:00.000000"),
        ("2024-05-01T10:00:00Z", "2024-05-01 10:00:00.000000"),
        ("2024-05-01T12:00:00.5+02:00", "2024-05-01 10:00:00.500000"),
        ("2024-04-30T23:30-0200", "2024-05-01 01:30:00.000000"),
        ("2024-05-01 10:00", "2024-05-01 10:00:00.000000"),
    ],
)
def test_iso_dates_normalize_to_utc(text: str, instant: str) -> None:
    assert iso_date(text) == instant


@pytest.mark.parametrize("text", ["2024", "May 1 2024", "2024-05-01x", "20240501", "abc"])
def test_other_strings_are_not_dates(text: str) -> None:
    assert iso_date(text) is None


def test_a_bool_is_not_a_number() -> None:
    assert kind_of(True, "f", "eq") == "bool"
    assert kind_of(1, "f", "eq") == "number"


def test_in_accepts_tuples_and_sets_but_not_strings_or_too_many_values() -> None:
    assert in_values((1, 2), "f") == [1, 2]
    assert in_values({3}, "f") == [3]
    with pytest.raises(ValidationError, match="at most 1000"):
        in_values(list(range(1001)), "f")
