from django.core.management.base import BaseCommand

from evaluations import tasks as certificate_tasks
from plans import tasks


class Command(BaseCommand):
    help = (
        "Run the jobs beat schedules every day: expire certificates, send expiry "
        "reminders, refresh the progress of open plans. `make run` calls it at start "
        "when there is no broker (and so no beat)."
    )

    def handle(self, *args, **options):
        certificate_tasks.daily_certificates.delay()
        tasks.nightly_progress.delay()
        self.stdout.write("Daily jobs queued (run in-process when there is no broker).")
