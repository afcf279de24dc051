from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "shaobao.problems"
    label = "problems"
