"""Plain text out of the files ingestion accepts: Markdown, text, HTML (headings kept as `#` lines) and PDF."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

from bifrost.errors import BifrostError

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")


class ExtractionError(BifrostError):
    """A file whose text cannot be read; the message is the reason shown in the ingestion summary."""


def extract_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ExtractionError(
            f"unsupported file type {suffix or '(no extension)'}: ingest reads {', '.join(SUPPORTED_SUFFIXES)}"
        )
    data = path.read_bytes()
    if suffix == ".pdf":
        return pdf_text(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): convert the file to UTF-8"
        ) from None
    return html_text(text) if suffix in (".html", ".htm") else text


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("the PDF is password-protected: save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ExtractionError(f"not a readable PDF ({exc})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ExtractionError("the PDF has no text layer (scanned pages?): run OCR on it first")
    return text


_BLOCKS = {"p", "div", "section", "article", "header", "footer", "br", "tr", "table", "ul", "ol", "blockquote", "hr"}
_SKIP = {"script", "style", "head", "noscript", "template", "svg"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "pre":
            self._pre += 1
            self.parts.append("\n\n")
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")  # a Markdown heading, so chunks carry it
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
            self.parts.append("\n\n")
        elif tag in _BLOCKS or (len(tag) == 2 and tag[0] == "h" and tag[1] in "123456"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data if self._pre else re.sub(r"\s+", " ", data))


def html_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
