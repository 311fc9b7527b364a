from __future__ import annotations

from pathlib import Path

import pytest

from bifrost_mcp.knowledge.extract import ExtractionError, extract_text, html_text, pdf_text
from tests.support.pdfs import make_pdf


def test_html_becomes_text_with_markdown_headings_and_list_items() -> None:
    html = """<html><head><title>t</title><style>p {color: red}</style></head><body>
    <h1>Printer   guide</h1><p>Printers are <b>mapped</b> at logon.</p>
    <h2>Manual</h2><ul><li>Open settings</li><li>Add device</li></ul>
    <script>alert("no")</script><pre>net use  \\\\srv\\q</pre><p>Caf&eacute; &amp; more</p></body></html>"""
    assert html_text(html) == (
        "# Printer guide\n\nPrinters are mapped at logon.\n\n## Manual\n\n- Open settings\n- Add device"
        "\n\nnet use  \\\\srv\\q\n\nCafé & more"
    )


def test_pdf_text_is_read_page_by_page() -> None:
    assert pdf_text(make_pdf([["Backup policy", "Nightly (02:00)."], ["Second page"]])) == (
        "Backup policy\nNightly (02:00).\n\nSecond page"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (make_pdf([[], []]), "no text layer"),
        (b"%PDF-1.4 truncated", "not a readable PDF"),
    ],
)
def test_a_pdf_without_text_or_structure_is_an_extraction_error(data: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason):
        pdf_text(data)


def test_a_non_utf8_text_file_names_the_offending_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\u00e9 menu".encode("latin-1"))
    with pytest.raises(ExtractionError, match=r"not UTF-8 text \(byte 0xe9 at offset 3\): convert the file to UTF-8"):
        extract_text(path)


def test_utf8_with_a_byte_order_mark_reads_without_it(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf# Title")
    assert extract_text(path) == "# Title"


def test_an_unsupported_extension_lists_the_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK")
    with pytest.raises(ExtractionError, match=r"unsupported file type \.docx: ingest reads \.md, .*\.pdf"):
        extract_text(path)
