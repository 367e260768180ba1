from django.core.management.base import BaseCommand, CommandError

from products.catalogue import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Load product classifications (148, 1048) and dossier document types."

    def handle(self, *args, **options):
        try:
            counts = load_catalogue()
        except (OSError, CatalogueError) as error:
            raise CommandError(str(error)) from error
        created = ", ".join(f"{name}: {count} new" for name, count in counts.items())
        self.stdout.write(f"Product catalogue loaded ({created}).")
