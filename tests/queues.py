"""Celery queues of the test run on Redis: one default queue per run (tests/settings.py)
and one private queue per worker test, deleted afterwards, so that a test's worker
never has another run's (or another test's) messages to work through first."""

import contextlib
import uuid

from ocop_portal.celery import app


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
