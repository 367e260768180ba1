"""The dashboard's tables as Excel sheets: the same numbers the page shows."""

from django.utils.translation import gettext as _

from core.exports import Sheet
from products.models import DossierKind

from .dashboard import Dashboard

KIND_LABELS = [label for _value, label in DossierKind.choices]


def _number(value):
    return None if value is None else float(value)


def _certificate_rows(certificates, today):
    for certificate in certificates:
        product = certificate.product
        yield (
            certificate.number,
            product.name,
            product.producer.name,
            (product.district or product.commune).name,
            certificate.stars,
            certificate.valid_until,
            (certificate.valid_until - today).days,
        )


def _units_sheet(board: Dashboard) -> Sheet:
    """By district (2021), or by commune with the units they came from (since the
    two-tier reform)."""
    values = [row.label for row in board.columns]
    if board.by_commune:
        return Sheet(
            _("By commune"),
            [
                _("Commune"),
                _("Formerly"),
                _("Former district"),
                _("Former province"),
                *values,
            ],
            [
                (
                    line["district"].name,
                    line["formerly"],
                    *line.get("former", ("", "")),
                    *[_number(cell["value"]) for cell in line["cells"]],
                )
                for line in board.districts
            ],
        )
    return Sheet(
        _("By district"),
        [_("District"), *values],
        [
            (
                line["district"].name,
                *[_number(cell["value"]) for cell in line["cells"]],
            )
            for line in board.districts
        ],
    )


def dashboard_sheets(board: Dashboard) -> dict[str, Sheet]:
    """One sheet per table, by the key used in ?table=…"""
    certificate_headers = [
        _("Certificate"),
        _("Product"),
        _("Producer"),
        _("District"),
        _("Stars"),
        _("Valid until"),
        _("Days left"),
    ]
    sheets = {
        "targets": Sheet(
            _("Targets"),
            [
                _("Indicator"),
                _("District"),
                _("Target"),
                _("Achieved"),
                _("Percent of target"),
                _("Expected by the pace"),
                _("Computed at"),
            ],
            [
                (
                    row.label,
                    row.district_name,
                    _number(row.target_value),
                    _number(row.achieved),
                    _number(row.percent),
                    _number(row.expected),
                    row.computed_at,
                )
                for row in board.rows
            ],
        ),
        "progress": Sheet(
            _("Progress"),
            [_("Day"), *[row.full_label for row in board.rows]],
            _progress_rows(board),
        ),
        "districts": _units_sheet(board),
        "pipeline": Sheet(
            _("Pipeline"),
            [_("Status"), _("Dossiers"), *KIND_LABELS],
            [(row["label"], row["total"], *row["kinds"]) for row in board.pipeline],
        ),
        "provisional": Sheet(
            _("Provisional results"),
            [_("Provisional band"), _("Dossiers"), _("Mean score"), *KIND_LABELS],
            [
                (row["label"], row["total"], _number(row["average"]), *row["kinds"])
                for row in board.provisional
            ],
        ),
        "stars": Sheet(
            _("Stars"),
            [_("Stars"), _("Certificates"), _("Share (%)")],
            [
                (row["stars"], row["count"], _number(row["share"]))
                for row in board.stars
            ],
        ),
        "groups": Sheet(
            _("Product groups"),
            [_("Product group"), _("Legal basis"), "3★", "4★", "5★", _("In total")],
            [
                (row["group"], row["basis"], *row["stars"], row["total"])
                for row in board.groups
            ],
        ),
        "expiring": Sheet(
            _("Expiring"),
            certificate_headers,
            _certificate_rows(board.expiring, board.today),
        ),
        "expired": Sheet(
            _("Expired, not re-rated"),
            certificate_headers,
            _certificate_rows(board.expired, board.today),
        ),
    }
    return sheets


def _progress_rows(board: Dashboard):
    days = sorted({day for row in board.rows for day, _value in row.series})
    values = [dict(row.series) for row in board.rows]
    for day in days:
        yield (day, *[_number(series.get(day)) for series in values])
