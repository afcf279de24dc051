from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shaobao.org import roles


class User(AbstractUser):
    display_name = models.CharField(max_length=50, blank=True, verbose_name=_("姓名"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("电话"))

    def __str__(self):
        return self.display_name or self.username


class Jurisdiction(models.Model):
    """A node of the area tree. Codes nest by prefix: district 6, township 9, community 12,
    grid 15 digits (domain.md §4), so a subtree is `code__startswith`."""

    DISTRICT, TOWNSHIP, COMMUNITY, GRID = "DISTRICT", "TOWNSHIP", "COMMUNITY", "GRID"
    LEVELS = [
        (DISTRICT, _("区")),
        (TOWNSHIP, _("街乡")),
        (COMMUNITY, _("社区/村")),
        (GRID, _("网格")),
    ]
    CODE_LENGTH = {DISTRICT: 6, TOWNSHIP: 9, COMMUNITY: 12, GRID: 15}
    PARENT_LEVEL = {TOWNSHIP: DISTRICT, COMMUNITY: TOWNSHIP, GRID: COMMUNITY}
    STREET, TOWN = "STREET", "TOWN"
    KINDS = [(STREET, _("街道")), (TOWN, _("乡镇"))]

    code = models.CharField(max_length=15, unique=True, verbose_name=_("区划代码"))
    name = models.CharField(max_length=100, verbose_name=_("名称"))
    level = models.CharField(max_length=10, choices=LEVELS, verbose_name=_("层级"))
    kind = models.CharField(max_length=10, choices=KINDS, blank=True, verbose_name=_("类型"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    active = models.BooleanField(default=True, verbose_name=_("启用"))

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name

    def township_code(self) -> str | None:
        return self.code[:9] if len(self.code) >= 9 else None


class Department(models.Model):
    GOVERNMENT, ENTERPRISE = "GOVERNMENT", "ENTERPRISE"
    KINDS = [(GOVERNMENT, _("职能部门")), (ENTERPRISE, _("公共服务企业"))]

    code = models.CharField(max_length=20, unique=True, verbose_name=_("部门编码"))
    name = models.CharField(max_length=100, verbose_name=_("部门名称"))
    short_name = models.CharField(max_length=30, blank=True, verbose_name=_("简称"))
    kind = models.CharField(max_length=12, choices=KINDS, default=GOVERNMENT)
    district = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="departments", verbose_name=_("所属区")
    )
    active = models.BooleanField(default=True, verbose_name=_("启用"))

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.short_name or self.name


class Membership(models.Model):
    """One role over one scope. Department roles take a department; the rest a jurisdiction."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=roles.CHOICES, verbose_name=_("角色"))
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(jurisdiction__isnull=False) & Q(department__isnull=True))
                | (Q(jurisdiction__isnull=True) & Q(department__isnull=False)),
                name="membership_one_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction", "department"], name="membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.role} {self.jurisdiction or self.department}"


class ApiToken(models.Model):
    """A machine client's bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class LoginAttempt(models.Model):
    """Failed logins, kept in the database so that every web process sees the same count."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
