import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions import services


class Command(BaseCommand):
    help = "Load administrative units from a CSV shipped with the portal (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=services.DONG_THAP_2021,
            help="CSV with code,name,kind,level,parent_code (default: Đồng Tháp 2021).",
        )
        parser.add_argument(
            "--valid-from",
            type=datetime.date.fromisoformat,
            default=services.DONG_THAP_2021_VALID_FROM,
        )
        parser.add_argument(
            "--valid-to",
            type=datetime.date.fromisoformat,
            default=services.DONG_THAP_2021_VALID_TO,
        )

    def handle(self, *args, **options):
        try:
            created, updated = services.load_units(
                path=options["file"],
                valid_from=options["valid_from"],
                valid_to=options["valid_to"],
            )
        except (OSError, services.UnitFileError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Units: {created} created, {updated} updated.")
