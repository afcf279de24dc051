from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "shaobao.duties"
    label = "duties"
