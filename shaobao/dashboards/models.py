from django.db import models


class DemandDay(models.Model):
    """Demands received on one day (Asia/Shanghai), per handling township/department: the counts
    behind the three-rate trends, so a dashboard reads a few thousand rows instead of a year's
    demands. Rebuilt for recent days by `rollup.refresh` (worker, `shaobao dashboards_rollup`)."""

    day = models.DateField()
    district = models.ForeignKey("org.Jurisdiction", on_delete=models.CASCADE, related_name="+")
    township = models.ForeignKey(
        "org.Jurisdiction", null=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", null=True, on_delete=models.CASCADE, related_name="+"
    )
    received = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)  # counted: not excluded, not duplicate
    response_due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["district", "day"])]


class RollupMark(models.Model):
    """When a rollup was last refreshed (one row per rollup name)."""

    name = models.CharField(max_length=30, primary_key=True)
    at = models.DateTimeField()
