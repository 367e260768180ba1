from django.core.management.base import BaseCommand, CommandError

from evaluations.catalogue import CatalogueError, load_criteria, load_regimes
from products.catalogue import load_catalogue


class Command(BaseCommand):
    help = (
        "Load the evaluation regimes (1048, 148, 1489, 26/2026) and the criteria sheets "
        "shipped in evaluations/data. Idempotent; a changed sheet becomes a new version; "
        "sheets held back as incomplete load as drafts for the administrator to correct "
        "and publish."
    )

    def handle(self, *args, **options):
        try:
            load_catalogue()
            levels = load_regimes()
            loaded = load_criteria()
        except (OSError, CatalogueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Regimes: {levels} levels.")
        for version, created in loaded:
            state = "loaded" if created else "unchanged"
            status = "published" if version.is_published else "DRAFT"
            self.stdout.write(
                f"{version} ({version.total_points} points, {status}): {state}"
            )
            for note in filter(None, version.notes.splitlines()):
                self.stdout.write(self.style.WARNING(f"  note: {note}"))
