import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.data.files.paths import display, split_path


def test_a_relative_path_splits_into_segments_dropping_empty_and_dot_segments() -> None:
    assert split_path("data/x.json", "workspace") == ("data", "x.json")
    assert split_path("./data//./x.json", "workspace") == ("data", "x.json")
    assert split_path("data/", "workspace", allow_root=True) == ("data",)


def test_the_root_is_only_allowed_where_asked_for() -> None:
    assert split_path("", "workspace", allow_root=True) == ()
    with pytest.raises(ValidationError, match="names no file"):
        split_path("", "workspace")
    with pytest.raises(ValidationError, match="names no file"):
        split_path("./", "workspace")


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("../x", r"contains '\.\.'; paths cannot leave the workspace root"),
        ("data/../../x", r"contains '\.\.'"),
        ("..", r"contains '\.\.'"),
        ("/etc/passwd", "is absolute"),
        ("C:/Windows", "is absolute"),
        ("\\\\server\\share", "is absolute"),
        ("data\\x.json", "backslash"),
        ("data/x\x00.json", "NUL byte"),
        ("bad\ud800", "lone surrogate"),
    ],
)
def test_an_escaping_or_malformed_path_is_refused_naming_the_path_and_the_rule(path: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule):
        split_path(path, "workspace")


def test_files_are_named_by_location_and_path_never_by_host_folder() -> None:
    assert display("workspace", ("data", "x.json")) == "workspace:/data/x.json"
