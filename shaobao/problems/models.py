from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shaobao.duties.models import Matter
from shaobao.org.models import Department, Jurisdiction

SOURCES = [
    ("HOTLINE", _("12345热线")),
    ("WEB", _("网上诉求")),
    ("OPEN311", _("Open311应用")),
    ("GRID_PATROL", _("网格巡查")),
    ("TOWNSHIP", _("街乡发现")),
    ("DEPARTMENT", _("部门发现")),
]


class Problem(models.Model):
    """One thing to be solved in one place, on a township's problem list. Never deleted."""

    NEW, TRIAGED, WHISTLED, SOLVED, CLOSED, MERGED = (
        "NEW",
        "TRIAGED",
        "WHISTLED",
        "SOLVED",
        "CLOSED",
        "MERGED",
    )
    STATUSES = [
        (NEW, _("待研判")),
        (TRIAGED, _("已研判")),
        (WHISTLED, _("已吹哨")),
        (SOLVED, _("已解决")),
        (CLOSED, _("已关闭")),
        (MERGED, _("已合并")),
    ]
    PRIORITIES = [(1, _("一般")), (2, _("较急")), (3, _("紧急"))]

    township = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="problems", verbose_name=_("街乡")
    )
    place = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区/网格"),
    )
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("事项")
    )
    title = models.CharField(max_length=120, verbose_name=_("标题"))
    description = models.TextField(max_length=4000, verbose_name=_("问题描述"))
    address = models.CharField(max_length=200, verbose_name=_("地址"))
    lat = models.FloatField(null=True, blank=True, verbose_name=_("纬度"))
    lng = models.FloatField(null=True, blank=True, verbose_name=_("经度"))
    source = models.CharField(max_length=12, choices=SOURCES, verbose_name=_("来源"))
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW, verbose_name=_("状态"))
    priority = models.PositiveSmallIntegerField(
        choices=PRIORITIES, default=1, verbose_name=_("紧急程度")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reporting_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    close_reason = models.CharField(max_length=500, blank=True, verbose_name=_("关闭原因"))
    # What the router suggested when the matter was decided, and by which model version.
    router_version = models.CharField(max_length=64, blank=True)
    router_matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    router_confidence = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["township", "status", "created_at"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"WT{self.pk:07d}" if self.pk else "WT—"


class ProblemPhoto(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="photos")
    # Checked to be a JPEG/PNG/WebP by its magic bytes in the service (no Pillow needed).
    image = models.FileField(upload_to="problems/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField()
