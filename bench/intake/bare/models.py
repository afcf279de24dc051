from django.db import models


class Item(models.Model):
    service_code = models.CharField(max_length=40)
    description = models.TextField()
    lat = models.FloatField(null=True)
    lng = models.FloatField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
