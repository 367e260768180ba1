"""Celery wiring: settings for work that must not be lost, and a real worker."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from django.core.cache import cache

from ocop_portal.celery import HEARTBEAT_CACHE_KEY, app, heartbeat

ROOT = Path(__file__).resolve().parent.parent


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
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ocop_portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        token = uuid.uuid4().hex
        heartbeat.delay(token)
        deadline = time.monotonic() + 60
        seen = None
        while time.monotonic() < deadline:
            seen = cache.get(HEARTBEAT_CACHE_KEY)
            if seen and seen["token"] == token:
                break
            time.sleep(0.2)
        assert seen and seen["token"] == token, "the worker never ran the heartbeat"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
