from django.apps import AppConfig


class HotspotsConfig(AppConfig):
    name = "shaobao.hotspots"
    label = "hotspots"
