from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "shaobao.exports"
    label = "exports"

    def ready(self):
        # Each app registers its export kinds in its own `exports` module (problems, whistles, …).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("exports")
