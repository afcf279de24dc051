from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "shaobao.org"
    label = "org"
