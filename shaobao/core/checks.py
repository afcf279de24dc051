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


@checks.register(checks.Tags.database)
def router_model_is_usable(app_configs, databases=None, **kwargs):
    """Runs with `shaobao check --database default` (it reads the active router version)."""
    if not databases:
        return []
    from django.db import DatabaseError

    from shaobao.duties.routing import unusable_active_model

    try:
        problem = unusable_active_model()
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    if problem:
        return [
            checks.Warning(
                "The active router model cannot be used: suggestions fall back to the duty "
                "list's keywords and nothing is dispatched automatically.",
                hint=f"{problem}. Run `shaobao router_retrain` (after an upgrade that changed "
                "the model format, once).",
                id="shaobao.W003",
            )
        ]
    return []
