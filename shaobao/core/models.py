from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """An administrator's correction to the official calendar (e.g. a year not yet published)."""

    day_date = models.DateField(unique=True, verbose_name=_("日期"))
    is_workday = models.BooleanField(verbose_name=_("是否工作日"))
    reason = models.CharField(max_length=200, verbose_name=_("原因"))

    def __str__(self):
        return f"{self.day_date} {'workday' if self.is_workday else 'holiday'}"


class IdempotencyRecord(models.Model):
    """The answer given to a create request, replayed when the same key comes again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]
