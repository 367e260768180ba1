"""Checks and clean-up of uploaded files: type from content, size, image re-encoding.

The declared content type and the file name are never trusted: the first bytes decide.
Images are decoded and written again, which drops EXIF (GPS position, camera serial)
and anything appended after the image data.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Pillow refuses anything bigger than this many pixels (a 100-megapixel camera is fine;
# a decompression bomb is not).
MAX_IMAGE_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ALLOWED_LABEL = "PDF, JPEG, PNG, DOCX, XLSX"


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def _office_kind(head: bytes, upload) -> str | None:
    """'docx' or 'xlsx' when the ZIP holds an Office Open XML document, else None."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    return None


def sniff(upload) -> str | None:
    """The file's real kind from its content: pdf, jpg, png, docx, xlsx, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return _office_kind(head, upload)


def _clean_name(name: str) -> str:
    # Keep the name for display only: no path, no control characters, bounded length.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "tai-lieu"
    return name[-200:]


def _too_big(upload) -> ValidationError:
    return ValidationError(
        _("The file is %(size)s; the limit is %(limit)s.")
        % {
            "size": filesizeformat(upload.size),
            "limit": filesizeformat(settings.OCOP_UPLOAD_MAX_BYTES),
        },
        code="file_too_large",
    )


def reencode_image(upload, kind: str) -> bytes:
    """Decode and write the image again (JPEG or PNG). Raises ValidationError if it
    cannot be decoded or is too large in pixels."""
    upload.seek(0)
    try:
        with Image.open(upload, formats=["JPEG", "PNG"]) as image:
            image.load()
            if kind == "jpg":
                image = image.convert("RGB")
            elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            if kind == "jpg":
                image.save(out, format="JPEG", quality=88, optimize=True)
            else:
                image.save(out, format="PNG", optimize=True)
    except Image.DecompressionBombError as error:
        raise ValidationError(
            _("The image is too large (more than %(pixels)s megapixels).")
            % {"pixels": MAX_IMAGE_PIXELS // 1_000_000},
            code="image_too_large",
        ) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ValidationError(
            _("The image could not be read. Save it again as JPEG or PNG and retry."),
            code="image_unreadable",
        ) from error
    return out.getvalue()


def check_document(upload) -> CheckedFile:
    """Validate a dossier document. Raises ValidationError with a message for the user."""
    if upload.size > settings.OCOP_UPLOAD_MAX_BYTES:
        raise _too_big(upload)
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _(
                "“%(name)s” is not an accepted file type. Accepted: %(types)s. "
                "The type is read from the content, not from the file name."
            )
            % {"name": _clean_name(upload.name), "types": ALLOWED_LABEL},
            code="file_type",
        )
    if kind in ("jpg", "png"):
        data = reencode_image(upload, kind)
    else:
        upload.seek(0)
        data = upload.read()
    return CheckedFile(
        content=ContentFile(data, name=f"upload.{kind}"),
        extension=kind,
        content_type=DOCUMENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=_clean_name(upload.name),
    )


def check_photo(upload) -> CheckedFile:
    """Validate a product photo: JPEG or PNG only, re-encoded."""
    if upload.size > settings.OCOP_UPLOAD_MAX_BYTES:
        raise _too_big(upload)
    kind = sniff(upload)
    if kind not in ("jpg", "png"):
        raise ValidationError(
            _("A photo must be a JPEG or PNG image."), code="photo_type"
        )
    data = reencode_image(upload, kind)
    return CheckedFile(
        content=ContentFile(data, name=f"photo.{kind}"),
        extension=kind,
        content_type=DOCUMENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=_clean_name(upload.name),
    )
