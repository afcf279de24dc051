from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "shaobao.assessments"
    label = "assessments"
