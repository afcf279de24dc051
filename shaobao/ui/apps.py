from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "shaobao.ui"
    label = "ui"
