"""Settings come from the environment: each case runs the settings in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "db_host": settings.DATABASES["default"].get("HOST", ""),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
    "language": settings.LANGUAGE_CODE,
    "tz": settings.TIME_ZONE,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "bucket": settings.STORAGES["default"].get("OPTIONS", {}).get("bucket_name"),
}))
"""
VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_DEBUG", "ALLOWED_HOSTS",
             "EMAIL_HOST", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION")  # fmt: skip


def run_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    clean |= {"DJANGO_SETTINGS_MODULE": "nanyang_tracker.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def settings_for(**env) -> dict:
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_in_development_gives_sqlite_eager_jobs_and_console_mail():
    found = settings_for(DJANGO_DEBUG="1")
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db_name"].endswith("db.sqlite3")
    assert found["eager"] is True and found["broker"] == "memory://"
    assert found["cache"].endswith("LocMemCache")
    assert found["email"].endswith("console.EmailBackend")
    assert (found["language"], found["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_debug_is_off_unless_asked_for_and_then_a_secret_key_is_required():
    result = run_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    found = settings_for(SECRET_KEY="x" * 50, ALLOWED_HOSTS="tracker.example.gov,10.0.0.5")
    assert found["debug"] is False
    assert found["hosts"] == ["tracker.example.gov", "10.0.0.5"]


def test_database_url_selects_postgresql():
    found = settings_for(DJANGO_DEBUG="1", DATABASE_URL="postgres://tracker@db.internal:5432/plan")
    assert found["engine"] == "django.db.backends.postgresql"
    assert (found["db_name"], found["db_host"]) == ("plan", "db.internal")


def test_redis_url_makes_redis_the_celery_broker_and_the_cache():
    found = settings_for(DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/3")
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/3"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_an_smtp_host_switches_mail_from_the_console_to_smtp():
    found = settings_for(DJANGO_DEBUG="1", EMAIL_HOST="mail.internal")
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_env_example_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "nanyang_tracker" / "settings.py").read_text(encoding="utf-8")
    import re

    read = set(re.findall(r'env_(?:str|bool|list|int)\("([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read and read <= documented, read - documented


@pytest.mark.parametrize("value", ["0", "false", "no", ""])
def test_debug_stays_off_for_false_like_values(value):
    assert settings_for(DJANGO_DEBUG=value, SECRET_KEY="k" * 50)["debug"] is False


def test_files_go_to_a_folder_unless_an_object_store_bucket_is_set():
    assert settings_for(DJANGO_DEBUG="1")["storage"].endswith("FileSystemStorage")
    found = settings_for(DJANGO_DEBUG="1", S3_BUCKET="nanyang-files")
    assert (found["storage"], found["bucket"]) == (
        "storages.backends.s3.S3Storage",
        "nanyang-files",
    )
