from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shaobao.core"
    label = "core"

    def ready(self):
        from shaobao.core import checks  # noqa: F401  (registers the deploy checks)
