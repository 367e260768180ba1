"""Progress jobs through a real Celery worker on Redis (CI sets REDIS_URL).

The worker is a subprocess on the test database (DATABASE_URL points at it), listening
on a queue of its own so it never takes another run's messages. Tests use real
transactions: the worker only sees committed rows.
"""

import datetime
import os
import signal
import subprocess
import time
from decimal import Decimal
from urllib.parse import quote

import pytest

from django.db import connection

from evaluations.certificates import record_decision
from evaluations.models import Outcome
from evaluations.results import finalise_round
from plans import progress, tasks
from plans.models import ProgressSnapshot
from tests.evaluations import scenario
from tests.evaluations.factories import certify
from tests.plans.factories import SalesPointFactory
from tests.products.factories import ProductFactory
from tests.queues import private_queue, start_worker

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs REDIS_URL for a real worker"
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process cannot share the in-memory SQLite test database",
    ),
    pytest.mark.django_db(transaction=True),
]


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def queue():
    """A queue of this test's own: every task the code sends goes there."""
    with private_queue("plans-test") as name:
        yield name


class Worker:
    def __init__(self, queue: str, *, visibility_timeout: int = 3600):
        self.process = start_worker(
            queue,
            env={
                "DATABASE_URL": _test_database_url(),
                "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            },
            loglevel="INFO",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.stdout.read() if self.process.stdout else ""


def wait_for(check, *, timeout: float, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    log = worker.stop() if worker else ""
    pytest.fail(f"timed out waiting for {what}\n{log[-3000:]}")


def achieved(client, indicator: str) -> Decimal | None:
    rows = client.get("/dashboard/", {"year": 2021}).context["board"].rows
    return next(r.achieved for r in rows if r.key == indicator and not r.district_name)


def test_a_decision_moves_the_dashboard_through_the_worker(
    plan_2021, client_for, queue
):
    scenario.load_evaluation_catalogue()
    progress.compute_plan_progress(plan_id=plan_2021.pk)
    province = client_for("province")
    assert achieved(province, "new_products") == 0
    assert achieved(province, "national_candidates") == 0

    # A provincial round: one product recognised 4★, one scoring 100 forwarded to
    # the national council; then the chair records the decision.
    council = scenario.council(size=4)
    round = scenario.round_(council=council)
    for pick in (scenario.pick_index(2), None):
        entry = scenario.entry(
            round=round, dossier=scenario.dossier(product=scenario.product())
        )
        for member in council.members.all():
            scenario.sheet(entry=entry, member=member, pick=pick)
    results = finalise_round(round=round, user=scenario.secretary(council))
    assert sorted(r.outcome for r in results) == [Outcome.FORWARDED, Outcome.RECOGNISED]
    record_decision(
        round=round,
        user=scenario.chair(council),
        number="1850/QĐ-UBND-HC",
        date=datetime.date(2021, 12, 7),
        signer="Phạm Thiện Nghĩa",
    )

    # Committed, and two refresh jobs are queued; no request computed anything.
    assert achieved(province, "new_products") == 0
    assert achieved(province, "national_candidates") == 0

    worker = Worker(queue)
    try:
        wait_for(
            lambda: (
                achieved(province, "new_products") == 1
                and achieved(province, "national_candidates") == 1
            ),
            timeout=90,
            what="the worker to refresh the plan",
            worker=worker,
        )
    finally:
        log = worker.stop()
    assert "plans.refresh_progress" in log
    assert ProgressSnapshot.objects.filter(target__plan=plan_2021).count() == 7


def _waiting_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _values(plan) -> dict[int, list[Decimal]]:
    rows = {}
    for snapshot in ProgressSnapshot.objects.filter(target__plan=plan):
        rows.setdefault(snapshot.target_id, []).append(snapshot.value)
    return rows


def test_a_worker_killed_mid_job_leaves_no_partial_snapshot(plan_2021, queue):
    """The crash drill: the job is stopped in the middle of writing the plan's
    snapshots (a test transaction holds the last row's lock, so the worker blocks with
    the first rows written but not committed); the worker is killed with SIGKILL; the
    rows stay as they were, one per target; the next worker gets the message again
    after the visibility timeout and completes it."""
    import psycopg2

    day = datetime.date(2021, 12, 31)
    progress.compute_plan_progress(plan_id=plan_2021.pk, day=day)
    before = _values(plan_2021)
    assert all(values == [Decimal(0)] for values in before.values())

    certify(ProductFactory(), stars=3, on=datetime.date(2021, 5, 4))
    SalesPointFactory(opened_on=datetime.date(2021, 6, 1))
    last = plan_2021.targets.order_by("-pk").first()

    holder = psycopg2.connect(_test_database_url())
    holder.autocommit = False
    with holder.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM plans_progresssnapshot WHERE target_id = %s AND day = %s "
            "FOR UPDATE",
            [last.pk, day],
        )
    visibility = 5
    first = Worker(queue, visibility_timeout=visibility)
    second = None
    try:
        tasks.compute_plan_progress.delay(plan_2021.pk, day.isoformat())
        sent_at = time.monotonic()
        wait_for(
            lambda: _waiting_backends() > 0,
            timeout=60,
            what="the job to block on the locked snapshot",
            worker=first,
        )
        first.kill()
        killed_at = time.monotonic()
        first_log = first.stop()
        assert "plans.compute_plan_progress[" in first_log and "received" in first_log
        assert "succeeded" not in first_log
        holder.rollback()
        holder.close()
        # The killed worker's transaction is rolled back by PostgreSQL once its
        # backend notices the client is gone: nothing of it was committed.
        wait_for(lambda: _waiting_backends() == 0, timeout=30, what="the backend to go")
        assert _values(plan_2021) == before

        # The message was never acknowledged: after the visibility timeout a new
        # worker gets it again (kombu restores unacknowledged messages on start).
        time.sleep(max(0.0, sent_at + visibility + 1 - time.monotonic()))
        second = Worker(queue, visibility_timeout=visibility)
        wait_for(
            lambda: (
                _values(plan_2021)[
                    plan_2021.targets.get(indicator="new_products", district=None).pk
                ]
                == [Decimal(1)]
            ),
            timeout=60,
            what="the next worker to complete the job",
            worker=second,
        )
        recovered_in = time.monotonic() - killed_at
    finally:
        first.stop()
        second_log = second.stop() if second is not None else ""
        if not holder.closed:
            holder.close()
    assert "plans.compute_plan_progress" in second_log and "succeeded" in second_log
    # The visibility timeout plus a worker start: well under the 1 h default.
    assert recovered_in < 60

    after = _values(plan_2021)
    assert set(after) == set(before)
    assert all(len(values) == 1 for values in after.values())
    sales = plan_2021.targets.get(indicator="sales_points").pk
    assert after[sales] == [Decimal(1)]
