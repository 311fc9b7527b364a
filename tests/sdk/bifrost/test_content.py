"""bifrost.content: images, audio and files, their JSON form across processes, and reading them from disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_core import to_jsonable_python

from bifrost import Audio, File, Image
from bifrost.content import CONTENT_KEY, from_json, is_content

BYTES = b"\x89PNG\r\n\x1a\n\xff\x00"


@pytest.mark.parametrize(
    "item",
    [
        Image(data=BYTES),
        Audio(data=BYTES, mime_type="audio/mpeg"),
        File(uri="test://a", text="hello"),
        File(uri="test://b", data=BYTES, mime_type="application/pdf", name="b.pdf"),
    ],
)
def test_content_survives_its_json_form_exactly(item: Image | Audio | File) -> None:
    form = to_jsonable_python(item)
    assert form[CONTENT_KEY] in ("image", "audio", "file")
    assert is_content(form)
    assert from_json(form) == item


def test_plain_data_is_not_content() -> None:
    for value in ({"data": "x", "mime_type": "image/png"}, [1], "text", None, {CONTENT_KEY: "video"}):
        assert not is_content(value)
        assert from_json(value) is None


def test_from_file_reads_the_bytes_and_guesses_the_type_from_the_name(tmp_path: Path) -> None:
    (tmp_path / "chart.jpg").write_bytes(BYTES)
    (tmp_path / "clip.mp3").write_bytes(BYTES)
    (tmp_path / "noise").write_bytes(BYTES)

    assert Image.from_file(tmp_path / "chart.jpg") == Image(data=BYTES, mime_type="image/jpeg")
    assert Audio.from_file(tmp_path / "clip.mp3").mime_type == "audio/mpeg"
    assert Image.from_file(tmp_path / "noise").mime_type == "image/png"  # no guess: the kind's default
    assert Audio.from_file(tmp_path / "noise", mime_type="audio/ogg").mime_type == "audio/ogg"
