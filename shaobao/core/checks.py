from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if settings.SECRET_KEY.startswith("insecure-dev-key"):
        return [
            checks.Warning(
                "SHAOBAO_SECRET_KEY is not set: the built-in development key is in use.",
                hint="Set SHAOBAO_SECRET_KEY to a long random value in production.",
                id="shaobao.W001",
            )
        ]
    return []


@checks.register()
def cjk_font_is_found(app_configs, **kwargs):
    from shaobao.core.fonts import CJKFontNotFound, cjk_font_path

    try:
        cjk_font_path()
    except CJKFontNotFound as exc:
        return [
            checks.Warning(
                "No CJK font for PDF reports: Chinese text cannot be written to PDF.",
                hint=f"{exc} (`make install` runs scripts/ensure-fonts.sh, which does this as root.)",
                id="shaobao.W002",
            )
        ]
    return []
