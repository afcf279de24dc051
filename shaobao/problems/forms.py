from django import forms
from django.utils.translation import gettext_lazy as _

from shaobao.problems.models import Problem


class ProblemForm(forms.Form):
    township = forms.TypedChoiceField(label=_("街乡"), coerce=int)
    place = forms.TypedChoiceField(
        label=_("社区/网格"), coerce=int, required=False, empty_value=None
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("问题描述"), max_length=4000, widget=forms.Textarea)
    address = forms.CharField(label=_("地址"), max_length=200)
    matter = forms.TypedChoiceField(label=_("事项"), coerce=int, required=False, empty_value=None)
    priority = forms.TypedChoiceField(
        label=_("紧急程度"), coerce=int, choices=Problem.PRIORITIES, initial=1
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, townships=(), places=(), matters=(), **kw):
        super().__init__(*args, **kw)
        self.fields["township"].choices = [(j.pk, j.name) for j in townships]
        self.fields["place"].choices = [("", "—")] + [(j.pk, j.name) for j in places]
        self.fields["matter"].choices = [("", "—")] + [(m.pk, m.path) for m in matters]


class TriageForm(forms.Form):
    matter = forms.TypedChoiceField(label=_("事项"), coerce=int)
    priority = forms.TypedChoiceField(label=_("紧急程度"), coerce=int, choices=Problem.PRIORITIES)
    note = forms.CharField(label=_("研判意见"), max_length=500, required=False)

    def __init__(self, *args, matters=(), **kw):
        super().__init__(*args, **kw)
        self.fields["matter"].choices = [(m.pk, m.path) for m in matters]


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("关闭原因"), max_length=500)
    merged_into = forms.IntegerField(
        label=_("合并到问题（编号数字）"), required=False, min_value=1, max_value=2**62
    )


class EditForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("问题描述"), max_length=4000, widget=forms.Textarea)
    address = forms.CharField(label=_("地址"), max_length=200)
    priority = forms.TypedChoiceField(label=_("紧急程度"), coerce=int, choices=Problem.PRIORITIES)
