from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """Present while the database holds generated demonstration data (manage.py seed_demo);
    every page then says 演示数据, so nobody mistakes it for real figures."""

    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    seed = models.PositiveIntegerField(_("随机种子"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("演示数据")
        verbose_name_plural = _("演示数据")

    def __str__(self) -> str:
        return f"演示数据（种子 {self.seed}）"
