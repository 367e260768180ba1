"""Excel exports shared by every list and table: one workbook, one or more sheets."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses sheet titles over 31 characters and these characters.
_BAD_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # A text cell that Excel would run as a formula (CSV/formula injection).
        return "'" + value
    return value


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook(write_only=False)
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(str(sheet.title).translate(_BAD_TITLE)[:31] or "Sheet")
        ws.append([str(header) for header in sheet.headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(header)) for header in sheet.headers]
        for row in sheet.rows:
            values = [_cell(value) for value in row]
            ws.append(values)
            for index, value in enumerate(values[: len(widths)]):
                widths[index] = max(widths[index], min(len(str(value or "")), 60))
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width + 2
        ws.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """An attachment download of the sheets; `filename` without extension."""
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.xlsx"
    )
    response["Cache-Control"] = "private, no-store"
    return response
