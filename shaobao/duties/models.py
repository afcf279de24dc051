from django.db import models
from django.utils.translation import gettext_lazy as _

from shaobao.org.models import Department


class Matter(models.Model):
    """A kind of problem, on a 3-level category path (城乡建设/违法建设/私搭乱建)."""

    code = models.CharField(max_length=30, unique=True, verbose_name=_("事项编码"))
    level1 = models.CharField(max_length=50, verbose_name=_("一级分类"))
    level2 = models.CharField(max_length=50, verbose_name=_("二级分类"))
    name = models.CharField(max_length=80, verbose_name=_("事项名称"))
    tier = models.CharField(max_length=30, verbose_name=_("时限档位"))
    closing_condition = models.CharField(max_length=200, blank=True, verbose_name=_("办结标准"))
    keywords = models.CharField(max_length=300, blank=True, verbose_name=_("关键词"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.path

    @property
    def path(self) -> str:
        return f"{self.level1}/{self.level2}/{self.name}"


class DutyList(models.Model):
    """A version of the duty list. Published versions are never edited or deleted."""

    DRAFT, PUBLISHED = "DRAFT", "PUBLISHED"
    STATUSES = [(DRAFT, _("草稿")), (PUBLISHED, _("已发布"))]

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT)
    active_from = models.DateTimeField(null=True, blank=True)
    active_to = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"v{self.version}"


class Duty(models.Model):
    duty_list = models.ForeignKey(DutyList, on_delete=models.PROTECT, related_name="duties")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="duties")
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="lead_duties", verbose_name=_("牵头部门")
    )
    assist_departments = models.ManyToManyField(
        Department, blank=True, related_name="assist_duties", verbose_name=_("配合部门")
    )
    law = models.CharField(max_length=200, blank=True, verbose_name=_("法律依据"))
    article = models.CharField(max_length=50, blank=True, verbose_name=_("条款"))
    basis_text = models.TextField(blank=True, verbose_name=_("依据原文"))

    def __str__(self):
        return f"{self.matter} → {self.lead_department}"
