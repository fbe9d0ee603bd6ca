import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _export_path(instance: "ExportJob", filename: str) -> str:
    # A random name on disk; the Chinese file name the user sees is kept in `filename`.
    return f"exports/{uuid.uuid4().hex}.xlsx"


class ExportJob(models.Model):
    """A 台账 export run in the background (dashboards/jobs.py), and the file it produced."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    plan = models.ForeignKey(
        "tasks.Plan", verbose_name=_("行动方案"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        "tasks.ReportingPeriod",
        verbose_name=_("填报期"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "tasks.Unit",
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("留空表示全部单位。"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("文件"), upload_to=_export_path, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导出")
        verbose_name_plural = _("台账导出")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename or f"导出 #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
