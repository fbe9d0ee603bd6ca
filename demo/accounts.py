"""Demo accounts for a development or training site, one per role."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from reports.models import Profile
from tasks.models import Unit

DEMO_PASSWORD = "nanyang-demo-2022"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    unit_name: str | None


DEMO_ACCOUNTS = [
    DemoAccount("kjj", "市科技局填报员", Profile.Role.REPORTER, "市科技局"),
    DemoAccount("wolong", "卧龙区填报员", Profile.Role.REPORTER, "卧龙区"),
    DemoAccount("reviewer", "市科技局审核员", Profile.Role.REVIEWER, "市科技局"),
    DemoAccount("leader", "市领导", Profile.Role.LEADER, None),
    DemoAccount("admin", "系统管理员", Profile.Role.ADMIN, None),
]


@transaction.atomic
def create_demo_accounts(*, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Create (or reset) the demo accounts. Units must be loaded first (load_plan)."""
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.first_name = account.display_name
        user.is_active = True
        user.is_staff = user.is_superuser = account.role == Profile.Role.ADMIN
        user.set_password(password)
        user.save()
        unit = Unit.objects.get(name=account.unit_name) if account.unit_name else None
        profile = Profile.objects.filter(user=user).first() or Profile(user=user)
        profile.role = account.role
        profile.unit = unit
        profile.full_clean()
        profile.save()
    return DEMO_ACCOUNTS
