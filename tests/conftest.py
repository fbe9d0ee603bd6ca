import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

from reports.models import Profile
from targets.loading import load_plan
from tasks.models import Plan, Unit
from tests import services


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts with the plan loaded from fixtures/ (the plan is data, not setup)."""
    with django_db_blocker.unblock():
        load_plan()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: dashboard pages kept by an earlier test's data
    (dashboards/page_cache.py) are not this test's."""
    cache.clear()


@pytest.fixture(autouse=True)
def _plan_data(request):
    """Transactional tests (live_server, browser) flush every table when they end; the next
    test that uses the database gets the plan loaded again."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    if not Plan.objects.exists():
        load_plan()


def _missing_service(item) -> str | None:
    if item.get_closest_marker("postgres"):
        reason = services.postgres_missing(connection.vendor)
        if reason:
            return reason
    if item.get_closest_marker("redis"):
        reason = services.redis_missing()
        if reason:
            return reason
    if item.get_closest_marker("browser"):
        reason = services.browser_missing()
        if reason:
            return reason
    if item.get_closest_marker("office"):
        reason = services.office_missing()
        if reason:
            return reason
    return None


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason:
        if services.in_ci():
            pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.get(code="innovation-2022")


def _user(username: str, role: str | None, unit_name: str | None = None, **extra):
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests-1", **extra
    )
    if role:
        unit = Unit.objects.get(name=unit_name) if unit_name else None
        Profile.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def staff_kjj(db):
    return _user("kjj-reporter", Profile.Role.REPORTER, "市科技局")


@pytest.fixture
def staff_county(db):
    return _user("wolong-reporter", Profile.Role.REPORTER, "卧龙区")


@pytest.fixture
def reviewer(db):
    return _user("plan-office", Profile.Role.REVIEWER, "市科技局")


@pytest.fixture
def leader(db):
    return _user("city-leader", Profile.Role.LEADER)


@pytest.fixture
def admin_user(db):
    return _user("site-admin", Profile.Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Signed in, but given no role in the system."""
    return _user("no-role", None)


@pytest.fixture(params=["staff_kjj", "staff_county", "reviewer", "leader", "admin_user"])
def any_role_user(request):
    return request.getfixturevalue(request.param)
