from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "shaobao.notify"
    label = "notify"
