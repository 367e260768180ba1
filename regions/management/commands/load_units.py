import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions import services


class Command(BaseCommand):
    help = (
        "Load the administrative units the portal ships (idempotent): the former Đồng "
        "Tháp as of 2021, the former Tiền Giang, the merged Đồng Tháp from 1/7/2025 and "
        "the succession of every former commune. With --file, one CSV only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            help="CSV with code,name,kind,level,parent_code; loads that file only.",
        )
        parser.add_argument(
            "--valid-from",
            type=datetime.date.fromisoformat,
            default=services.DONG_THAP_2021_VALID_FROM,
            help="With --file: the first day the units exist.",
        )
        parser.add_argument(
            "--valid-to",
            type=datetime.date.fromisoformat,
            default=None,
            help="With --file: the last day the units exist (none: still in force).",
        )

    def handle(self, *args, **options):
        try:
            if options["file"]:
                created, updated = services.load_units(
                    path=options["file"],
                    valid_from=options["valid_from"],
                    valid_to=options["valid_to"],
                )
                successions = 0
            else:
                counts = services.load_all_units()
                created, updated = counts["created"], counts["updated"]
                successions = counts["successions"]
        except (OSError, services.UnitFileError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Units: {created} created, {updated} updated; "
            f"{successions} successions created."
        )
