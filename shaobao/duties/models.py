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
    """A version of a district's duty list (权责清单). Drafts are edited; published versions are
    never edited or deleted, and are in force from `active_from` until the next one (exclusive)."""

    DRAFT, PUBLISHED = "DRAFT", "PUBLISHED"
    STATUSES = [(DRAFT, _("草稿")), (PUBLISHED, _("已发布"))]

    district = models.ForeignKey(
        "org.Jurisdiction", null=True, on_delete=models.PROTECT, related_name="duty_lists"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT)
    active_from = models.DateTimeField(null=True, blank=True)
    active_to = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["district", "version"], name="duty_list_version_unique")
        ]

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
    # Blank: the matter's own default tier.
    tier = models.CharField(max_length=30, blank=True, verbose_name=_("时限档位"))
    closing_condition = models.CharField(max_length=200, blank=True, verbose_name=_("办结标准"))
    keywords = models.CharField(max_length=300, blank=True, verbose_name=_("关键词"))
    # The community duty list: whether a community may lead on this matter or only assist.
    COMMUNITY_ROLES = [("LEAD", _("可牵头")), ("ASSIST", _("仅配合")), ("NONE", _("不承担"))]
    community_role = models.CharField(
        max_length=6, choices=COMMUNITY_ROLES, default="ASSIST", verbose_name=_("社区职责")
    )

    def __str__(self):
        return f"{self.matter} → {self.lead_department}"

    @property
    def effective_tier(self) -> str:
        return self.tier or self.matter.tier


class RouterVersion(models.Model):
    """A trained router model: where its file is, what it was trained on, how it scored. The
    active one answers suggestions; every decision stores the version that made it."""

    version = models.CharField(max_length=64, unique=True)
    district = models.ForeignKey(
        "org.Jurisdiction", null=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=300)
    threshold = models.FloatField()
    labels = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    rows = models.PositiveIntegerField()
    trained_at = models.DateTimeField()
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self):
        return self.version
