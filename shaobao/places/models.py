from django.db import models
from django.utils.translation import gettext_lazy as _

from shaobao.org.models import Jurisdiction


class Boundary(models.Model):
    """The current outline of one jurisdiction: a GeoJSON Polygon or MultiPolygon in WGS84
    (lng, lat). The bbox columns let a lookup narrow candidates in SQL before any geometry is
    parsed. Written only by services.boundary_set; each replacement bumps `version` and keeps the
    old outline in BoundaryVersion."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.PROTECT, related_name="boundary", verbose_name=_("区划")
    )
    geometry = models.JSONField(verbose_name=_("边界"))
    min_lat = models.FloatField(db_index=True)
    max_lat = models.FloatField(db_index=True)
    min_lng = models.FloatField(db_index=True)
    max_lng = models.FloatField(db_index=True)
    version = models.PositiveIntegerField(default=1, verbose_name=_("版本"))
    source = models.CharField(max_length=100, blank=True, verbose_name=_("来源"))
    digest = models.CharField(max_length=64)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["jurisdiction__code"]

    def __str__(self):
        return f"{self.jurisdiction} v{self.version}"


class BoundaryVersion(models.Model):
    """An outline that was replaced. Append-only: a record placed under an older outline can
    still be explained."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="boundary_versions"
    )
    version = models.PositiveIntegerField()
    geometry = models.JSONField()
    source = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64)
    valid_from = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["jurisdiction_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "version"], name="boundary_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.jurisdiction_id} v{self.version}"
