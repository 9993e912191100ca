"""Reading attached documents: real PDF, ODT and DOCX bytes written by tests/documents.py, read
by the real pypdf and lxml, hostile ones included; the child process that bounds time and
memory is a real process."""

from __future__ import annotations

import io

from regarchive.pipelines.documents import ReadLimits, read_bounded, read_document
from regarchive.pipelines.documents.sniff import DOCX, ODT, PDF
from tests import documents

MB = 1024 * 1024


def test_pdf_text_pages_and_metadata_hints() -> None:
    body = documents.pdf(
        ["Circulaire n° 12 relative à l'apprentissage", "Annexe : barème"],
        title="Circulaire 12",
        author="Préfecture de région",
        created="D:20240315120000+01'00'",
        compress=True,
    )
    reading = read_document(body, content_type="application/pdf")
    assert reading == {
        "media_type": PDF,
        "pages": 2,
        "title": "Circulaire 12",
        "text": "Circulaire n° 12 relative à l'apprentissage\nAnnexe : barème",
        "hints": {"author": "Préfecture de région", "created": "2024-03-15"},
        "warnings": [],
        "error": None,
    }


def test_odt_and_docx_text_title_and_pages() -> None:
    odt = read_document(
        documents.odt(["Premier paragraphe ODT", "Second"], title="Note ODT", pages=3),
        content_type="application/vnd.oasis.opendocument.text",
    )
    assert (odt["media_type"], odt["pages"], odt["title"]) == (ODT, 3, "Note ODT")
    assert odt["text"] == "Premier paragraphe ODT\nSecond"
    assert odt["hints"] == {"created": "2024-03-15"} and odt["warnings"] == []
    docx = read_document(documents.docx(["Paragraphe Word"], title="Note Word", pages=2))
    assert (docx["media_type"], docx["pages"], docx["title"]) == (DOCX, 2, "Note Word")
    assert docx["text"] == "Paragraphe Word" and docx["warnings"] == []


def test_encrypted_pdf_is_kept_without_text_and_warned() -> None:
    reading = read_document(documents.encrypted_pdf("Texte secret"))
    assert reading["media_type"] == PDF and reading["text"] == ""
    assert reading["warnings"] == ["encrypted PDF: it needs a password, its text was not read"]


def test_pdf_protected_only_by_an_owner_password_is_read() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(documents.pdf(["Lisible par tous"]))))
    writer.encrypt(user_password="", owner_password="proprietaire", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    reading = read_document(out.getvalue())
    assert reading["text"] == "Lisible par tous" and reading["warnings"] == []


def test_broken_pdf_gives_warnings_not_an_exception() -> None:
    reading = read_document(documents.broken_pdf())
    assert reading["media_type"] == PDF and reading["text"] == ""
    assert any(w.startswith("unreadable PDF: ") for w in reading["warnings"])


def test_truncated_pdf_says_so() -> None:
    reading = read_document(documents.truncated_pdf("Un texte coupé"))
    assert reading["warnings"][0] == "truncated PDF: it has no end-of-file marker"
    assert reading["error"] is None  # still a document: its bytes are archived


def test_decompression_bomb_stops_at_the_limit() -> None:
    body = documents.pdf_bomb(200)  # 200 MB of spaces in a 0.2 MB file
    assert len(body) < MB
    reading = read_document(body, limits=ReadLimits(inflated=10 * MB))
    assert reading["text"] == ""
    assert reading["warnings"] == [
        "PDF with a stream inflating beyond 10 MB (a decompression bomb?): its text was not read"
    ]


def test_zip_bomb_docx_stops_at_the_limit() -> None:
    body = documents.docx_zip_bomb(300)
    reading = read_document(body, limits=ReadLimits(inflated=10 * MB))
    assert reading["media_type"] == DOCX and reading["text"] == ""
    assert reading["warnings"] == [
        "DOCX whose word/document.xml inflates beyond 10 MB (a zip bomb?): its text was not read"
    ]


def test_a_2000_page_pdf_is_counted_whole_and_read_in_part() -> None:
    body = documents.pdf([f"Page numéro {n}" for n in range(1, 2001)])
    reading = read_document(body, limits=ReadLimits(pages=50))
    assert reading["pages"] == 2000
    assert reading["text"].splitlines() == [f"Page numéro {n}" for n in range(1, 51)]
    assert reading["warnings"] == ["long PDF: only the first 50 of its 2000 pages were read"]


def test_text_is_cut_at_its_limit() -> None:
    body = documents.pdf(["a" * 60, "b" * 60, "c" * 60])
    reading = read_document(body, limits=ReadLimits(text_chars=130))
    assert reading["text"] == "a" * 60 + "\n" + "b" * 60
    assert reading["warnings"] == ["long PDF: its text was cut at 130 characters"]


def test_wrong_content_type_is_read_by_the_bytes_and_warned() -> None:
    reading = read_document(documents.pdf(["Un vrai PDF"]), content_type="text/html")
    assert reading["media_type"] == PDF and reading["text"] == "Un vrai PDF"
    assert reading["warnings"] == ["served as text/html but is application/pdf"]
    # A generic type says nothing wrong.
    generic = read_document(documents.pdf(["x"]), content_type="application/octet-stream")
    assert generic["warnings"] == []


def test_an_html_error_page_served_as_pdf_is_no_document() -> None:
    reading = read_document(documents.html_error_page(), content_type="application/pdf")
    assert reading["media_type"] == "text/html"
    assert reading["error"] == "an HTML page, not a document (an error page?)"


def test_other_formats_are_kept_without_text() -> None:
    reading = read_document(b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png")
    assert reading["media_type"] == "image/png" and reading["text"] == ""
    assert reading["warnings"] == [] and reading["error"] is None


def test_bounded_reader_gives_what_the_reader_gives() -> None:
    body = documents.pdf(["Même résultat"], title="Titre")
    assert read_bounded(body) == read_document(body)


def test_bounded_reader_stops_a_reader_past_its_time() -> None:
    body = documents.pdf([f"Page {n}" for n in range(3000)])
    reading = read_bounded(body, limits=ReadLimits(seconds=0.05, pages=3000))
    assert reading["text"] == ""
    assert reading["warnings"] == ["reading stopped after 0.05 s: text not read"]


def test_bounded_reader_stops_a_reader_past_its_memory() -> None:
    # pypdf's own limit lifted: only the address-space limit stands in the way.
    limits = ReadLimits(inflated=2000 * MB, memory=100 * MB)
    reading = read_bounded(documents.pdf_bomb(300), limits=limits)
    assert reading["text"] == ""
    assert reading["warnings"] == ["reading needed more than 100 MB of memory: text not read"]


def test_xml_entities_in_an_office_document_are_never_expanded() -> None:
    reading = read_document(documents.docx_billion_laughs())
    assert "lol" not in reading["text"]
    assert reading["warnings"][0].startswith("unreadable DOCX: bad XML")
