"""Split documents into passages at natural boundaries, keeping exact spans so a document can be rebuilt.

Sizes are in characters (about 4 per token for English; the default 800 stays inside MiniLM's 256-token
window with the heading path added). Markdown headings are hard boundaries: a chunk never spans two
sections, except that a section holding only its heading joins the next one. A section longer than
`max_chars` is cut at the last paragraph break that fits, else line break, sentence end, space, and as
a last resort mid-word. Consecutive chunks of a section overlap by up to `overlap_chars`, starting at a
sentence (or else word) boundary. Every chunk's text starts with its heading path, e.g. `Backup > Retention`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bifrost.errors import ValidationError

DEFAULT_MAX_CHARS = 800
DEFAULT_OVERLAP_CHARS = 100

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)
_SEPARATORS = (
    re.compile(r"\n[ \t]*\n\s*"),  # paragraph
    re.compile(r"\n\s*"),  # line
    re.compile(r"[.!?…。！？][\"'”’)\]]*\s+"),  # sentence end
    re.compile(r"\s+"),  # word
)
_SENTENCE_START = _SEPARATORS[2]
_WORD_START = _SEPARATORS[3]


@dataclass(frozen=True)
class Chunk:
    """One passage. `body` is exactly `document[start:end]`; `text` is what gets embedded and shown."""

    body: str
    start: int
    end: int
    heading_path: tuple[str, ...]

    @property
    def text(self) -> str:
        return passage_text(self.body, self.heading_path)


def passage_text(body: str, heading_path: tuple[str, ...] | list[str]) -> str:
    body = body.strip()
    return f"{' > '.join(heading_path)}\n\n{body}" if heading_path else body


def chunk_text(
    document: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    overlap_chars: int = DEFAULT_OVERLAP_CHARS,
    markdown: bool = True,
) -> list[Chunk]:
    """Chunks of `document` in order; none for a blank document. Spans cover the document, overlapping."""
    if max_chars < 50:
        raise ValidationError(f"max_chars must be at least 50, got {max_chars}")
    if not 0 <= overlap_chars <= max_chars // 2:
        raise ValidationError(
            f"overlap_chars must be between 0 and max_chars/2 ({max_chars // 2}), got {overlap_chars}"
        )
    if not document.strip():
        return []
    headings = _headings(document) if markdown else []
    spans: list[tuple[int, int]] = []
    for start, end in _sections(document, headings):
        spans += _split_section(document, start, end, max_chars, overlap_chars)
    return [Chunk(document[s:e], s, e, _heading_path(document, s, headings)) for s, e in spans]


def reassemble(bodies: list[tuple[int, int, str]]) -> str:
    """Rebuild a document from its chunks' (start, end, body), dropping the overlapped text."""
    text, covered = [], 0
    for start, end, body in sorted(bodies):
        if start > covered:
            raise ValidationError(f"chunks leave a gap at characters {covered}..{start}: the document is incomplete")
        text.append(body[covered - start :])
        covered = max(covered, end)
    return "".join(text)


def _headings(document: str) -> list[tuple[int, int, str]]:
    """(position, level, title) of ATX headings outside fenced code blocks."""
    fences = [m.start() for m in _FENCE.finditer(document)]
    fenced = [(fences[i], fences[i + 1] if i + 1 < len(fences) else len(document)) for i in range(0, len(fences), 2)]
    return [
        (m.start(), len(m.group(1)), m.group(2).strip())
        for m in _HEADING.finditer(document)
        if not any(a <= m.start() < b for a, b in fenced)
    ]


def _sections(document: str, headings: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    bounds = [*sorted({0, *(pos for pos, _, _ in headings)}), len(document)]
    heading_starts = {pos for pos, _, _ in headings}
    sections: list[tuple[int, int]] = []
    pending = None  # start of a heading-only (or blank) section waiting to join the next one
    for start, end in itertools.pairwise(bounds):
        body = document[start:end]
        only_heading = start in heading_starts and not body.strip().partition("\n")[2].strip()
        if not body.strip() or only_heading:
            pending = start if pending is None else pending
            continue
        sections.append((start if pending is None else pending, end))
        pending = None
    if pending is not None:  # trailing heading-only or blank text joins the last section
        sections = [*sections[:-1], (sections[-1][0], len(document))] if sections else [(pending, len(document))]
    return sections


def _split_section(document: str, start: int, end: int, max_chars: int, overlap: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos, floor = start, start + 1
    while end - pos > max_chars:
        cut = _best_cut(document, pos, max(pos + max_chars // 4, floor), pos + max_chars)
        if not document[cut:end].strip():  # only whitespace left: it belongs to this chunk
            break
        spans.append((pos, cut))
        pos, floor = _overlap_start(document, max(pos + 1, cut - overlap), cut), cut + 1
    spans.append((pos, end))
    return spans


def _best_cut(document: str, pos: int, low: int, high: int) -> int:
    """The end of the last strongest separator with low <= end <= high; `high` if there is none."""
    window = document[pos:high]
    for separator in _SEPARATORS:
        ends = [pos + m.end() for m in separator.finditer(window) if low <= pos + m.end() <= high]
        if ends:
            return ends[-1]
    return high


def _overlap_start(document: str, low: int, cut: int) -> int:
    """Where the next chunk starts: the first sentence start in [low, cut), else word start, else `cut`."""
    for pattern in (_SENTENCE_START, _WORD_START):
        for m in pattern.finditer(document, max(0, low - 16), cut):
            if low <= m.end() < cut:
                return m.end()
    return cut


def _heading_path(document: str, start: int, headings: list[tuple[int, int, str]]) -> tuple[str, ...]:
    """Titles of the headings enclosing `start`; a heading the chunk itself opens with is left out."""
    text_start = len(document) - len(document[start:].lstrip())
    stack: list[tuple[int, str]] = []
    for pos, level, title in headings:
        if pos >= text_start:
            if pos == text_start:  # the chunk opens with this heading: it ends its siblings and deeper ones
                stack = [(lvl, t) for lvl, t in stack if lvl < level]
            break
        stack = [(lvl, t) for lvl, t in stack if lvl < level] + [(level, title)]
    return tuple(title for _, title in stack)
