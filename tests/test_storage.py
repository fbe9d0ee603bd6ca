"""Files go through Django's storage API only: with storage that is not a local folder (Django's
in-memory storage, as an object store would be), an attachment and an export are written by
one process's code and read back through the storage, never through a path on a disk."""

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from dashboards.models import ExportJob
from reports.attachments import check_upload
from reports.models import Attachment
from reports.workflow import add_attachments
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def memory_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "not-used"
    storages._storages.pop("default", None)
    yield storages["default"]
    storages._storages.pop("default", None)


def test_an_attachment_is_stored_and_served_through_the_storage(
    client, staff_kjj, plan, memory_storage
):
    report = f.make_report(staff_kjj, plan)
    add_attachments(report=report, user=staff_kjj, files=[(check_upload("佐证材料.pdf", PDF), PDF)])
    attachment = Attachment.objects.get()
    assert memory_storage.exists(attachment.file.name)
    assert not (memory_storage.base_location / attachment.file.name).exists()  # not on disk
    client.force_login(staff_kjj)
    response = client.get(reverse("reports:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_an_export_is_written_and_downloaded_through_the_storage(
    client, admin_user, plan, memory_storage, django_capture_on_commit_callbacks
):
    period = f.period(plan, 2025, 4)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:export-start"), {"period": period.pk})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "done" and memory_storage.exists(job.file.name)
    response = client.get(reverse("dashboards:export-download", args=[job.pk]))
    assert b"".join(response.streaming_content)[:2] == b"PK"
