from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shaobao.whistles.models import Summons

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    """The township's rating of one summons. Never edited: a correction is a new version."""

    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="evaluations")
    version = models.PositiveSmallIntegerField()
    timeliness = models.PositiveSmallIntegerField(validators=SCORE, verbose_name=_("及时性"))
    cooperation = models.PositiveSmallIntegerField(validators=SCORE, verbose_name=_("配合度"))
    effectiveness = models.PositiveSmallIntegerField(validators=SCORE, verbose_name=_("实效性"))
    comment = models.CharField(max_length=1000, blank=True, verbose_name=_("评价意见"))
    correction_reason = models.CharField(max_length=500, blank=True, verbose_name=_("更正原因"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["summons_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["summons", "version"], name="evaluation_version_unique"
            ),
        ]

    @property
    def score(self) -> float:
        """0–100: the mean of the three 1–5 ratings, scaled."""
        return round((self.timeliness + self.cooperation + self.effectiveness - 3) / 12 * 100, 1)
