"""Open311 GeoReport v2: client applications and their keys, and what an Open311 request or
update carries beyond the ordinary Demand it becomes (the chosen service, device and account ids,
media URL). The Demand itself is written only by shaobao.demands.services."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _

from shaobao.demands.models import Demand, DemandEvent
from shaobao.duties.models import Matter
from shaobao.org.models import Jurisdiction


def key_digest(key: str) -> str:
    """Keys are long random strings, so one SHA-256 is enough; the key itself is never stored."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ClientApp(models.Model):
    """A client application (FixMyStreet, a city app ...) allowed to POST, with one API key."""

    name = models.CharField(max_length=100, verbose_name=_("应用名称"))
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=8, blank=True, verbose_name=_("密钥前缀"))
    district = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("区")
    )
    active = models.BooleanField(default=True, verbose_name=_("启用"))
    created_at = models.DateTimeField()
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Open311Request(models.Model):
    """The Open311 side of a Demand filed through this API."""

    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="open311")
    client = models.ForeignKey(ClientApp, on_delete=models.PROTECT, related_name="requests")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    address_id = models.CharField(max_length=20, blank=True)
    zipcode = models.CharField(max_length=10, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media_url = models.CharField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["matter"])]


class Open311Update(models.Model):
    """A client's update (mySociety POST servicerequestupdates), kept once per client update_id;
    it became a public note on the demand and never changes its status."""

    client = models.ForeignKey(ClientApp, on_delete=models.PROTECT, related_name="updates")
    client_update_id = models.CharField(max_length=100)
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="+")
    event = models.OneToOneField(DemandEvent, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=40, blank=True)
    media_url = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "client_update_id"], name="open311_update_once_per_client"
            )
        ]
