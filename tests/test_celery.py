"""Celery wiring: settings for work that must not be lost, and a real worker."""

import os
import subprocess
import time
import uuid

import pytest

from django.core.cache import cache

from ocop_portal.celery import HEARTBEAT_CACHE_KEY, app, heartbeat
from tests.queues import private_queue, start_worker


def test_celery_is_configured_for_work_that_must_not_be_lost():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_reject_on_worker_lost is True
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit > conf.task_soft_time_limit > 0


def test_heartbeat_runs_in_process_without_a_broker(settings):
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL set: tasks go to a worker")
    token = uuid.uuid4().hex
    heartbeat.delay(token)
    assert cache.get(HEARTBEAT_CACHE_KEY)["token"] == token


@pytest.mark.worker
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL for a real worker"
)
def test_a_task_goes_through_a_real_worker():
    with private_queue("heartbeat") as queue:
        worker = start_worker(
            queue, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            token = uuid.uuid4().hex
            heartbeat.delay(token)
            assert _wait_for_heartbeat(token), "the worker never ran the heartbeat"
        finally:
            worker.terminate()
            worker.wait(timeout=30)


@pytest.mark.worker
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL for a real worker"
)
def test_leftovers_in_the_default_queue_do_not_delay_a_test_worker(settings):
    """What made a second `make test` fail: messages left in the queue a worker
    listens on. A test's worker listens on its own queue only: 200 messages waiting
    in the run's default queue are neither in its way nor taken by it."""
    default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with app.connection_for_read() as conn:
        waiting = conn.default_channel.client.llen(default_queue)
    for _ in range(200):
        heartbeat.delay("a leftover")
    with private_queue("heartbeat") as queue:
        worker = start_worker(
            queue, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            token = uuid.uuid4().hex
            heartbeat.delay(token)
            assert _wait_for_heartbeat(token, timeout=30)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    with app.connection_for_read() as conn:
        assert conn.default_channel.client.llen(default_queue) == waiting + 200


def _wait_for_heartbeat(token: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = cache.get(HEARTBEAT_CACHE_KEY)
        if seen and seen["token"] == token:
            return True
        time.sleep(0.2)
    return False
