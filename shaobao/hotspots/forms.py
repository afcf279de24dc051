from django import forms
from django.utils.translation import gettext_lazy as _

from shaobao.whistles.models import KINDS


class ConvertForm(forms.Form):
    kind = forms.ChoiceField(label=_("哨型"), choices=KINDS, initial="MANAGEMENT")


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("忽略原因"), max_length=500)
