import io
import zipfile

import pytest
from openpyxl import Workbook

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from products import uploads
from tests.products.factories import PDF, png_bytes


def _zip(names) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (_jpeg(), "jpg"),
        (png_bytes(), "png"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
        (_xlsx(), "xlsx"),
    ],
)
def test_accepted_types_are_recognised_by_content(content, kind):
    # The name says nothing: the content decides.
    checked = uploads.check_document(SimpleUploadedFile("tai-lieu.bin", content))
    assert checked.extension == kind
    assert checked.content_type == uploads.DOCUMENT_TYPES[kind]


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 100,  # Windows executable
        b"\x7fELF\x02\x01\x01" + b"\x00" * 100,  # Linux executable
        b"<html><script>alert(1)</script></html>",
        _zip(["readme.txt"]),  # a plain ZIP is not an Office document
        b"PK\x03\x04 broken zip",
    ],
)
def test_other_content_is_refused_whatever_the_name(content):
    with pytest.raises(ValidationError) as error:
        uploads.check_document(SimpleUploadedFile("ho-so.pdf", content))
    assert error.value.code == "file_type"
    assert "“ho-so.pdf” không thuộc loại tệp được chấp nhận" in error.value.messages[0]


def test_oversize_and_empty_files_are_refused(settings):
    settings.OCOP_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        uploads.check_document(SimpleUploadedFile("a.pdf", PDF))
    assert error.value.code == "file_too_large"
    settings.OCOP_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        uploads.check_document(SimpleUploadedFile("a.pdf", b""))
    assert error.value.code == "file_empty"


def test_broken_image_is_refused_with_advice():
    with pytest.raises(ValidationError) as error:
        uploads.check_document(
            SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
        )
    assert error.value.code == "image_unreadable"


def test_image_with_appended_payload_is_cleaned():
    content = png_bytes() + b"<?php system($_GET['c']); ?>"
    checked = uploads.check_document(SimpleUploadedFile("a.png", content))
    assert b"<?php" not in checked.content.read()


def test_display_name_keeps_no_path():
    checked = uploads.check_document(
        SimpleUploadedFile("..\\..\\windows\\phieu.pdf", PDF)
    )
    assert checked.original_name == "phieu.pdf"
