"""A real django-q2 cluster in a child process, on the Redis broker, against the test database.

The test process writes its data and commits (transactional tests); the cluster and the management
commands run as separate processes with the same database and media folder, as in production.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def redis_url() -> str:
    return os.environ.get("LEG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def database_url() -> str:
    """The test database as a URL for the child processes (PostgreSQL: they connect by network)."""
    params = connection.settings_dict
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or "5432"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    return f"postgres://{params['USER']}{password}@{host}:{port}/{params['NAME']}"


def child_env(cluster_name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "legbilling_site.settings.base",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(),
        "Q_CLUSTER_NAME": cluster_name,
        "Q_WORKERS": "2",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@contextmanager
def running_cluster(env: dict[str, str]):
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(child) for child in task.read_text().split())
    return found


def kill_workers(cluster: subprocess.Popen) -> list[int]:
    """SIGKILL every process under the cluster's sentinel (workers, pusher, monitor), mid-task.

    The sentinel notices and starts new ones; with the Redis broker a task a killed worker had taken
    is gone, which is what ``close_period --resume`` (and the nightly schedule) recover from.
    """
    killed = []
    for sentinel in children(cluster.pid):
        for process in children(sentinel):
            os.kill(process, signal.SIGKILL)
            killed.append(process)
    return killed


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)
