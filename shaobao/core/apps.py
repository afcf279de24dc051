from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shaobao.core"
    label = "core"
