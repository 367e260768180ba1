"""Serving private uploads: only through a view that has checked who asks."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_file_response(
    field_file: FieldFile, *, filename: str, content_type: str, attachment: bool
) -> FileResponse:
    """A stored upload as a response nobody caches and no browser re-interprets.

    Raises Http404 when the file is missing from storage (a restored database without
    its media, say), rather than a 500.
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
