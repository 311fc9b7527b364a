"""Content besides plain data, which workflows, prompts and resources may return: images, audio and files.

A workflow returning `Image(...)`, `Audio(...)`, `File(...)` or a list mixing them with text is answered to an MCP
client as the matching content blocks (image, audio, embedded resource, text). Plain data stays plain data:
only these types become content.

Each crosses a process boundary (and is kept in an execution record) in its JSON form, which carries the marker
key `CONTENT_KEY`; `from_json` turns such a form back into its type, and leaves anything else alone.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

CONTENT_KEY = "bifrost_content"


class _Content(BaseModel):
    # bytes travel as base64 in JSON, both ways (model_dump(mode="json") and model_validate_json)
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")


class _Media(_Content):
    data: bytes
    mime_type: str

    @classmethod
    def from_file(cls, path: str | Path, mime_type: str | None = None) -> Self:
        """The content of the file at `path`; its MIME type guessed from the file name unless given."""
        fallback = str(cls.model_fields["mime_type"].default)
        return cls(data=Path(path).read_bytes(), mime_type=mime_type or _guess(path, fallback))


class Image(_Media):
    """An image: its bytes and MIME type (a PNG chart, a screenshot)."""

    bifrost_content: Literal["image"] = "image"
    mime_type: str = "image/png"


class Audio(_Media):
    """A sound clip: its bytes and MIME type."""

    bifrost_content: Literal["audio"] = "audio"
    mime_type: str = "audio/wav"


class File(_Content):
    """A document handed over whole (an MCP embedded resource): text, or bytes, at a URI that names it."""

    bifrost_content: Literal["file"] = "file"
    uri: str
    mime_type: str = "text/plain"
    text: str | None = None
    data: bytes | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_body(self) -> File:
        if (self.text is None) == (self.data is None):
            raise ValueError("a File has either text or data (bytes), exactly one of them")
        return self


Content = Annotated[Image | Audio | File, Field(discriminator=CONTENT_KEY)]
_CONTENT: TypeAdapter[Image | Audio | File] = TypeAdapter(Content)


def is_content(value: object) -> bool:
    """Whether `value` is one of the content types, or the JSON form of one."""
    if isinstance(value, Image | Audio | File):
        return True
    return isinstance(value, dict) and value.get(CONTENT_KEY) in ("image", "audio", "file")


def from_json(value: Any) -> Image | Audio | File | None:
    """The content whose JSON form `value` is, or None when `value` is not one."""
    if isinstance(value, Image | Audio | File):
        return value
    if not is_content(value):
        return None
    return _CONTENT.validate_json(_json(value))


def _json(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()


def _guess(path: str | Path, fallback: str) -> str:
    guessed, _ = mimetypes.guess_type(str(path))
    return guessed or fallback


__all__ = ["CONTENT_KEY", "Audio", "Content", "File", "Image", "from_json", "is_content"]
