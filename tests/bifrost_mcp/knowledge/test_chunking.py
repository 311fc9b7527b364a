from __future__ import annotations

import itertools
import random

import pytest

from bifrost_mcp.knowledge.chunking import Chunk, chunk_text, reassemble


def _rebuilt(chunks: list[Chunk]) -> str:
    return reassemble([(c.start, c.end, c.body) for c in chunks])


def _sentences(n: int, topic: str = "backup") -> str:
    return " ".join(f"Sentence {i} explains one detail of the {topic} procedure." for i in range(n))


def test_a_short_document_is_one_chunk_with_its_own_text() -> None:
    (chunk,) = chunk_text("Reset your password from the portal.")
    assert (chunk.text, chunk.start, chunk.end, chunk.heading_path) == (
        "Reset your password from the portal.",
        0,
        36,
        (),
    )


def test_a_blank_document_has_no_chunks() -> None:
    assert chunk_text("  \n\n \t") == []


def test_long_text_splits_at_paragraph_breaks_first() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 25 for i in range(10)]
    document = "\n\n".join(p.strip() for p in paragraphs)
    chunks = chunk_text(document, max_chars=400, overlap_chars=0)
    assert len(chunks) > 1
    for chunk in chunks[:-1]:
        assert chunk.body.endswith("\n\n") and len(chunk.body) <= 400
    assert [c.body.lstrip().startswith("Paragraph") for c in chunks] == [True] * len(chunks)


def test_a_paragraph_longer_than_the_limit_splits_at_sentence_ends() -> None:
    chunks = chunk_text(_sentences(30), max_chars=300, overlap_chars=0)
    assert len(chunks) > 3
    for chunk in chunks[:-1]:
        assert chunk.body.rstrip().endswith("procedure.") and len(chunk.body) <= 300


def test_a_sentence_longer_than_the_limit_splits_between_words_and_a_huge_word_anywhere() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    chunks = chunk_text(words, max_chars=100, overlap_chars=0)
    assert all(len(c.body) <= 100 for c in chunks)
    assert all(c.body.strip().split(" ")[0].startswith("word") for c in chunks)
    assert _rebuilt(chunks) == words
    blob = "x" * 450
    assert [len(c.body) for c in chunk_text(blob, max_chars=100, overlap_chars=0)] == [100, 100, 100, 100, 50]


def test_consecutive_chunks_overlap_by_at_most_the_overlap_starting_on_a_word() -> None:
    document = _sentences(40)
    chunks = chunk_text(document, max_chars=300, overlap_chars=80)
    for previous, chunk in itertools.pairwise(chunks):
        overlap = previous.end - chunk.start
        assert 0 < overlap <= 80
        assert document[chunk.start - 1].isspace() and not document[chunk.start].isspace()


def test_overlap_prefers_starting_at_a_sentence() -> None:
    document = " ".join(f"Short sentence {i}." for i in range(100))
    chunks = chunk_text(document, max_chars=200, overlap_chars=60)
    assert all(c.body.startswith("Short sentence") for c in chunks)


@pytest.mark.parametrize("seed", range(8))
def test_chunks_always_rebuild_the_exact_document(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["# Title\n", "## Part\n", "\n\n", "\n", "A sentence here. ", "Another one! ", "word " * 30, "x" * 300]
    document = "".join(rng.choice(pieces) for _ in range(rng.randint(5, 80)))
    chunks = chunk_text(document, max_chars=rng.choice([80, 150, 400]), overlap_chars=rng.choice([0, 10, 40]))
    if document.strip():
        assert _rebuilt(chunks) == document
        assert chunks[0].start == 0 and chunks[-1].end == len(document)


def test_a_chunk_carries_the_path_of_the_headings_above_it() -> None:
    document = (
        "# Backup policy\n\nIntro.\n\n## Daily\n\n" + _sentences(20) + "\n\n## Retention\n\nKept 30 days.\n\n"
        "### Offsite\n\nTapes go to the vault.\n\n# Restore\n\nAsk the help desk."
    )
    chunks = chunk_text(document, max_chars=300, overlap_chars=50)
    paths = {c.heading_path for c in chunks}
    assert ("Backup policy", "Daily") in paths
    retention = next(c for c in chunks if "Kept 30 days" in c.body)
    assert retention.heading_path == ("Backup policy",) and retention.text.startswith("Backup policy\n\n## Retention")
    offsite = next(c for c in chunks if "vault" in c.body)
    assert offsite.heading_path == ("Backup policy", "Retention")
    restore = next(c for c in chunks if "help desk" in c.body)
    assert restore.heading_path == () and restore.text.startswith("# Restore")
    middle = next(c for c in chunks if c.heading_path == ("Backup policy", "Daily"))
    assert middle.text.startswith("Backup policy > Daily\n\n")


def test_headings_are_hard_boundaries_but_a_lone_heading_joins_the_next_section() -> None:
    document = "# Guide\n\n## VPN\n\nInstall the client.\n\n## Printers\n\nMap them by group policy."
    chunks = chunk_text(document)
    assert [c.text for c in chunks] == [
        "# Guide\n\n## VPN\n\nInstall the client.",
        "Guide\n\n## Printers\n\nMap them by group policy.",
    ]


def test_a_hash_line_inside_a_code_fence_is_not_a_heading() -> None:
    document = "# Script\n\n```bash\n# install the agent\n./install.sh\n```\n\nThen reboot."
    (chunk,) = chunk_text(document)
    assert chunk.heading_path == () and "# install the agent" in chunk.text


def test_plain_text_mode_ignores_markdown_headings() -> None:
    document = "# not a heading\n\nbody text"
    assert len(chunk_text(document, markdown=False)) == 1
    assert [c.heading_path for c in chunk_text(document + "\n\n# Second\n\nmore", markdown=True)] == [(), ()]


@pytest.mark.parametrize(("max_chars", "overlap"), [(10, 0), (200, 150), (200, -1)])
def test_bad_sizes_are_refused_with_the_allowed_range(max_chars: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        chunk_text("text", max_chars=max_chars, overlap_chars=overlap)


def test_reassembly_refuses_chunks_that_leave_a_gap() -> None:
    with pytest.raises(ValueError, match="gap"):
        reassemble([(0, 5, "hello"), (8, 10, "ab")])
