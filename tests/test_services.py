"""The real PostgreSQL and Redis behind the settings, used for real."""

import uuid

import pytest
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, connection, transaction

from nanyang_tracker.celery import app as celery_app
from targets.models import Target
from tasks.models import Task, TaskUnit
from tests.services import REDIS_TEST_URL


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_enforces_one_lead_unit_per_task_and_target_ranges(plan):
    assert connection.vendor == "postgresql"
    task = Task.objects.get(plan=plan, number=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskUnit.objects.filter(task=task).update(role="lead")
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.filter(key="tech-transfer-institutions").update(value_high=5)


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_keeps_the_plan_text_in_chinese_intact(plan):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"
    task = Task.objects.get(plan=plan, number=11)
    assert task.units_text == "市委组织部、市人力资源和社会保障局、各县市区委（管委會）"


@pytest.mark.redis
def test_the_redis_cache_backend_stores_and_reads_back_chinese_values():
    cache = RedisCache(REDIS_TEST_URL, {})
    key = f"test-{uuid.uuid4()}"
    cache.set(key, {"单位": "市科技局"}, timeout=30)
    assert cache.get(key) == {"单位": "市科技局"}
    cache.delete(key)
    assert cache.get(key) is None


@pytest.mark.redis
def test_celery_can_reach_redis_as_its_broker():
    with celery_app.connection_for_write(REDIS_TEST_URL) as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected
