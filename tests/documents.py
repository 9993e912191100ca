"""Small real documents for tests, written by hand: PDFs (plain, compressed, with metadata,
encrypted, broken, a decompression bomb, thousands of pages), ODT and DOCX files.

The PDFs are built object by object with a computed cross-reference table, the office files as
the zips they are: no PDF or office library is needed to make them, so what the reader gets is
exactly what is written here.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.sax.saxutils import escape


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in PDFDocEncoding (Latin-1 covers French)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("latin-1") + b")"


def _assemble(objects: list[bytes], *, root: int = 1, info: int | None = None) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root {root} 0 R"
    if info is not None:
        trailer += f" /Info {info} 0 R"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, *, compress: bool) -> bytes:
    if compress:
        data = zlib.compress(data)
        return (
            f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode()
            + data
            + b"\nendstream"
        )
    return f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


def pdf(
    pages: list[str],
    *,
    title: str | None = None,
    author: str | None = None,
    created: str | None = None,
    compress: bool = False,
) -> bytes:
    """A PDF with one line of text per page (Helvetica, WinAnsi), and an Info dictionary
    when ``title``, ``author`` or ``created`` (``D:20240315120000Z``) is given."""
    count = len(pages)
    # 1 catalog, 2 page tree, 3 font, then a page and its content stream per page, then Info.
    kids = " ".join(f"{4 + 2 * n} 0 R" for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for n, line in enumerate(pages):
        content = b"BT /F1 12 Tf 72 720 Td " + _pdf_string(line) + b" Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * n} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(_stream(content, compress=compress))
    info = None
    entries = [(b"/Title ", title), (b"/Author ", author), (b"/CreationDate ", created)]
    if any(value for _, value in entries):
        objects.append(
            b"<< " + b" ".join(key + _pdf_string(value) for key, value in entries if value) + b" >>"
        )
        info = len(objects)
    return _assemble(objects, info=info)


def pdf_bomb(megabytes: int = 200) -> bytes:
    """A one-page PDF whose content stream inflates to ``megabytes`` MB of spaces (~0.1 %
    of that on the wire)."""
    compressor = zlib.compressobj(9)
    block = b" " * (1024 * 1024)
    data = b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode()
        + data
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _assemble(objects)


def encrypted_pdf(text: str, password: str = "secret") -> bytes:
    """A PDF only its password opens (AES-256, written by pypdf)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf([text]))))
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken_pdf() -> bytes:
    """A PDF header, then nothing a reader can use."""
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ngarbage \x00\xff\n"


def truncated_pdf(text: str) -> bytes:
    """A real PDF cut off two thirds of the way (a download that stopped)."""
    whole = pdf([text, text + " suite"])
    return whole[: len(whole) * 2 // 3]


def _zip(members: dict[str, bytes], *, first_stored: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first_stored is not None:
            archive.writestr(first_stored, members.pop(first_stored), zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def odt(paragraphs: list[str], *, title: str | None = None, pages: int = 1) -> bytes:
    """An OpenDocument text file: one ``text:p`` per paragraph, title and page count in its
    ``meta.xml``."""
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"><office:meta>'
        + (f"<dc:title>{escape(title)}</dc:title>" if title else "")
        + "<meta:creation-date>2024-03-15T10:00:00</meta:creation-date>"
        f'<meta:document-statistic meta:page-count="{pages}"/>'
        "</office:meta></office:document-meta>"
    )
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": content.encode(),
            "meta.xml": meta.encode(),
        },
        first_stored="mimetype",
    )


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(paragraphs: list[str], *, title: str | None = None, pages: int = 1) -> bytes:
    """A Word document: one ``w:p`` per paragraph, title in ``docProps/core.xml``, page count
    in ``docProps/app.xml``."""
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'
    document += body + "</w:body></w:document>"
    core = (
        '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + (f"<dc:title>{escape(title)}</dc:title>" if title else "")
        + '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-15T10:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats'
        f'.org/officeDocument/2006/extended-properties"><Pages>{pages}</Pages></Properties>'
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Override PartName="/word/document.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    return _zip(
        {
            "[Content_Types].xml": types.encode(),
            "word/document.xml": document.encode(),
            "docProps/core.xml": core.encode(),
            "docProps/app.xml": app.encode(),
        }
    )


def docx_zip_bomb(megabytes: int = 300) -> bytes:
    """A DOCX whose document.xml inflates to ``megabytes`` MB (a paragraph repeated)."""
    out = io.BytesIO()
    paragraph = b"<w:p><w:r><w:t>bombe</w:t></w:r></w:p>" * 1000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<w:document xmlns:w="{_W}"><w:body>'.encode())
            written = 0
            while written < megabytes * 1024 * 1024:
                member.write(paragraph)
                written += len(paragraph)
            member.write(b"</w:body></w:document>")
    return out.getvalue()


def html_error_page() -> bytes:
    """What a CMS serves at a deleted document's URL, often with status 200."""
    return (
        b"<!DOCTYPE html><html><head><title>Page introuvable</title></head>"
        b"<body><h1>Erreur 404</h1><p>Le document demand\xc3\xa9 n'existe pas.</p></body></html>"
    )


def docx_billion_laughs() -> bytes:
    """A DOCX whose document.xml defines entities expanding to a billion "lol"s."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    document = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>Avant &lol9; après</w:t></w:r>'
        "</w:p></w:body></w:document>"
    )
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": document.encode()})
