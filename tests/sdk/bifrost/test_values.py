"""The checks the host and InMemoryPlatform share: config keys and values, file paths."""

from __future__ import annotations

import pytest

from bifrost.enums import ConfigType
from bifrost.errors import ValidationError
from bifrost.values import check_key, encode_value, split_path


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(True, ConfigType.BOOL, "true"), (3, ConfigType.INT, "3"), ("x", ConfigType.STRING, '"x"'),
     (1.5, ConfigType.JSON, "1.5"), ({"a": [1]}, ConfigType.JSON, '{"a": [1]}')],
)  # fmt: skip
def test_a_config_value_keeps_its_type(value: object, kind: ConfigType, text: str) -> None:
    assert encode_value(value) == (kind, text)


@pytest.mark.parametrize(("value", "problem"), [(None, "config.delete"), (float("nan"), "JSON"), ({1j}, "set")])
def test_a_config_value_that_cannot_round_trip_says_why(value: object, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        encode_value(value)


@pytest.mark.parametrize("key", ["", " padded", "tab\tkey", "k" * 201])
def test_a_bad_config_key_is_refused(key: str) -> None:
    with pytest.raises(ValidationError):
        check_key(key)


def test_a_path_is_split_into_clean_parts() -> None:
    assert split_path("data//./x.json", "workspace") == ("data", "x.json")
    assert split_path("", "workspace", allow_root=True) == ()


@pytest.mark.parametrize(
    ("path", "rule"),
    [("/etc/passwd", "absolute"), ("C:x", "absolute"), ("a\\b", "backslash"), ("a/../b", "'..'"),
     ("a\x00b", "NUL"), ("\ud800", "Unicode"), ("", "names no file")],
)  # fmt: skip
def test_a_path_that_could_leave_its_root_is_refused_naming_the_rule(path: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule):
        split_path(path, "workspace")
