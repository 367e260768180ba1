"""Celery queues of the test run on Redis: one default queue per run (tests/settings.py)
and one private queue per worker test, deleted afterwards, so that a test's worker
never has another run's (or another test's) messages to work through first."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

from ocop_portal.celery import app

ROOT = Path(__file__).resolve().parent.parent


def delete_queue(name: str) -> None:
    """Drop a queue, its pending messages and the bindings kombu keeps in Redis."""
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_delete(name)
        channel.client.delete(
            name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}"
        )


@contextlib.contextmanager
def private_queue(prefix: str = "test"):
    """A queue of the caller's own, made the default for tasks sent meanwhile."""
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    default = app.conf.task_default_queue
    app.conf.task_default_queue = name
    try:
        yield name
    finally:
        app.conf.task_default_queue = default
        delete_queue(name)


def start_worker(
    queue: str, *, env: dict | None = None, loglevel: str = "WARNING", **popen
) -> subprocess.Popen:
    """A solo Celery worker on the test settings that listens on `queue` only; `env`
    adds to the environment (e.g. DATABASE_URL of the test database), `popen` to the
    subprocess's arguments (where its output goes)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ocop_portal",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **(env or {})},
        **popen,
    )
