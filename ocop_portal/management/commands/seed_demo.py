import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ocop_portal import demo


class Command(BaseCommand):
    help = (
        "Load the Đồng Tháp 2021 demo (units, personas with password "
        f"'{demo.DEMO_PASSWORD}', and demo records). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. Demo users have a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo users with a published password while DEBUG is "
                "off. Use --force if this really is a demo or test installation."
            )
        # In-process tasks (no broker) would log one line per progress job.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        demo.seed(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
