from datetime import UTC

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables.codec import check_name, decode_document, encode_document, now


def test_documents_are_stored_as_compact_unescaped_json_and_returned_as_read_back() -> None:
    assert encode_document({"a": [1, "é"]}) == ('{"a":[1,"é"]}', {"a": [1, "é"]})
    assert decode_document('{"a":[1,"é"]}') == {"a": [1, "é"]}


def test_tuples_are_stored_and_returned_as_lists() -> None:
    assert encode_document({"t": (1, 2)}) == ('{"t":[1,2]}', {"t": [1, 2]})


def test_a_non_string_key_is_refused_instead_of_silently_becoming_a_string() -> None:
    with pytest.raises(ValidationError, match="document key 1 is a int"):
        encode_document({"outer": {1: "x"}})


def test_names_must_be_non_empty_printable_and_bounded() -> None:
    assert check_name("tickets", "table") == "tickets"
    for bad in ("", " ", "a\nb", "x" * 256):
        with pytest.raises(ValidationError):
            check_name(bad, "table")


def test_stored_timestamps_are_fixed_width_utc() -> None:
    moment, text = now()
    assert moment.tzinfo is UTC
    assert len(text) == len("2024-01-01T00:00:00.000000+00:00")
