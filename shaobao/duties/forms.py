from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shaobao.duties.models import Duty

DT = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
}


class DutyForm(forms.Form):
    matter = forms.TypedChoiceField(label=_("事项"), coerce=int)
    lead_department = forms.TypedChoiceField(label=_("牵头部门"), coerce=int)
    assist_departments = forms.TypedMultipleChoiceField(
        label=_("配合部门"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    law = forms.CharField(label=_("法律依据"), max_length=200, required=False)
    article = forms.CharField(label=_("条款"), max_length=50, required=False)
    basis_text = forms.CharField(
        label=_("依据原文"), max_length=4000, required=False, widget=forms.Textarea
    )
    tier = forms.ChoiceField(label=_("时限档位"), required=False)
    closing_condition = forms.CharField(label=_("办结标准"), max_length=200, required=False)
    keywords = forms.CharField(label=_("关键词"), max_length=300, required=False)
    community_role = forms.ChoiceField(label=_("社区职责"), choices=Duty.COMMUNITY_ROLES)

    def __init__(self, *args, matters=(), departments=(), **kw):
        super().__init__(*args, **kw)
        self.fields["matter"].choices = [(m.pk, f"{m.code} {m.path}") for m in matters]
        self.fields["lead_department"].choices = [(d.pk, d.name) for d in departments]
        self.fields["assist_departments"].choices = [(d.pk, d.name) for d in departments]
        self.fields["tier"].choices = [("", _("按事项默认"))] + [
            (t, t) for t in settings.SHAOBAO["TIME_LIMIT_TIERS"]
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("权责清单 .xlsx"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class PublishForm(forms.Form):
    active_from = forms.DateTimeField(
        label=_("生效时间"), required=False, help_text=_("不填即刻生效"), **DT
    )
