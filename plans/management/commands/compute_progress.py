import datetime

from django.core.management.base import BaseCommand, CommandError

from plans import progress
from plans.models import Plan


class Command(BaseCommand):
    help = (
        "Compute the progress snapshots of a plan (or of every open plan) now, in this "
        "process, as of a day (default today)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", type=int, help="The plan's id (default: all open)."
        )
        parser.add_argument(
            "--date",
            help="Compute as of this day, YYYY-MM-DD (default today; a day after the "
            "plan's year is stored as its 31/12).",
        )

    def handle(self, *args, plan=None, date=None, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(
                    f"--date: expected YYYY-MM-DD, got {date!r}"
                ) from error
        if plan is not None:
            if not Plan.objects.filter(pk=plan).exists():
                raise CommandError(f"No plan with id {plan}.")
            plan_ids = [plan]
        else:
            plan_ids = progress.open_plan_ids()
        for plan_id in plan_ids:
            rows = progress.compute_plan_progress(plan_id=plan_id, day=day)
            plan_obj = Plan.objects.get(pk=plan_id)
            stored_on = rows[0].day.isoformat() if rows else "-"
            self.stdout.write(
                f"{plan_obj.number} ({plan_obj.year}): {len(rows)} snapshots for "
                f"{stored_on}"
            )
            for row in rows:
                where = f" ({row.target.district})" if row.target.district_id else ""
                self.stdout.write(f"  {row.target.indicator}{where}: {row.value}")
        if not plan_ids:
            self.stdout.write("No open plan.")
