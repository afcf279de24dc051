from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shaobao.audit"
    label = "audit"
