from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "shaobao.demands"
    label = "demands"
