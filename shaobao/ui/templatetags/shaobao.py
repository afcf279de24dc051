from django import template

from shaobao.audit.labels import ACTIONS
from shaobao.whistles.models import AREAS, KINDS, MODES

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


@register.filter
def area_label(code):
    return dict(AREAS).get(code, code)


@register.filter
def kind_label(code):
    return dict(KINDS).get(code, code)


@register.filter
def mode_label(code):
    return dict(MODES).get(code, code)


@register.filter
def iso(value):
    return value.isoformat() if value else ""
