import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: f"{m._meta.app_label}.{m.__name__}"
)
def test_every_model_has_a_chinese_admin_list_and_add_page(client, admin_user, model):
    client.force_login(admin_user)
    opts = model._meta
    for name in ("changelist", "add"):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}"))
        assert response.status_code == 200
    assert "南阳市创新创业行动 管理后台" in response.content.decode()


def test_the_task_admin_page_shows_the_units_inline(client, admin_user, plan):
    client.force_login(admin_user)
    task = plan.tasks.get(number=8)
    page = client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert "任务责任单位" in page and "牵头单位" in page


def test_people_without_staff_rights_cannot_open_the_admin(client, staff_kjj):
    client.force_login(staff_kjj)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
