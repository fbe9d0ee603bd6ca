"""The background jobs on a real Celery worker, through the real Redis, on PostgreSQL.

The worker is a separate process started here with the project's own settings, pointed at the
test database, a Redis database of its own and a temporary folder for files and e-mails.
"""

import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis
from celery import Celery
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.models import ExportJob
from tests import factories as f
from tests.services import REDIS_TEST_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent


def _worker_redis_url() -> str:
    # Its own Redis database, next to the one the other Redis tests use.
    parsed = urlparse(REDIS_TEST_URL)
    return f"redis://{parsed.hostname or '127.0.0.1'}:{parsed.port or 6379}/14"


@pytest.fixture
def worker(tmp_path, settings):
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
    broker = _worker_redis_url()
    redis.Redis.from_url(broker).flushdb()
    settings.MEDIA_ROOT = tmp_path / "media"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    env.pop("EMAIL_HOST", None)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nanyang_tracker",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = Celery(broker=broker, backend=broker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready" in (tmp_path / "worker.log").read_text():
            break
        if process.poll() is not None:
            pytest.fail("the worker stopped:\n" + (tmp_path / "worker.log").read_text())
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not start:\n" + (tmp_path / "worker.log").read_text())
    yield client, tmp_path
    process.terminate()
    process.wait(20)
    log.close()


def test_an_export_runs_on_the_worker_and_its_file_opens(worker, plan, admin_user):
    client, folder = worker
    job = ExportJob.objects.create(
        plan=plan, period=f.period(plan, 2025, 4), requested_by=admin_user, filename="台账.xlsx"
    )
    client.send_task("dashboards.jobs.export_ledger", args=[job.pk]).get(timeout=120)
    job.refresh_from_db()
    assert job.status == "done", job.error
    data = (folder / "media" / job.file.name).read_bytes()
    book = load_workbook(io.BytesIO(data))
    assert book["重点任务台账"]["A1"].value.startswith("南阳市创新创业行动实施方案重点任务分工台账")
    assert book["重点任务台账"].max_row > 100


def test_the_cleanup_job_runs_on_the_worker(worker, plan, admin_user):
    client, _folder = worker
    job = ExportJob.objects.create(
        plan=plan, period=f.period(plan, 2025, 4), requested_by=admin_user, filename="旧.xlsx"
    )
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert client.send_task("dashboards.jobs.delete_old_exports").get(timeout=60) == 1
    assert not ExportJob.objects.exists()


def test_reminders_go_out_once_from_the_worker(worker, plan):
    from tasks.models import ReportingPeriod
    from tests.conftest import _user

    client, folder = worker
    reporter = _user("jyj-reporter", "reporter", "市教育局")
    reporter.email = "jyj@example.gov.cn"
    reporter.save()
    # The worker judges by today's date: make a quarter fall due in seven days.
    period = ReportingPeriod.objects.filter(plan=plan).order_by("-starts_on").first()
    period.due_on = timezone.localdate() + dt.timedelta(days=7)
    period.closed_at = None
    period.save()
    sent = client.send_task("reports.jobs.send_reminders").get(timeout=120)
    assert sent >= 1
    mails = list((folder / "mail").glob("*.log"))
    text = "\n".join(m.read_text(encoding="utf-8", errors="replace") for m in mails)
    assert "jyj@example.gov.cn" in text
    again = client.send_task("reports.jobs.send_reminders").get(timeout=120)
    assert again == 0
    assert len(list((folder / "mail").glob("*.log"))) == len(mails)
