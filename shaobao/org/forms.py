from django import forms
from django.utils.translation import gettext_lazy as _

from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction


class UserForm(forms.Form):
    username = forms.RegexField(label=_("用户名"), max_length=150, regex=r"^[\w.@+-]+$")
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, max_length=128)


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=R.CHOICES)
    jurisdiction = forms.TypedChoiceField(
        label=_("辖区"), coerce=int, required=False, empty_value=None
    )
    department = forms.TypedChoiceField(
        label=_("部门"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, places=(), departments=(), **kw):
        super().__init__(*args, **kw)
        self.fields["jurisdiction"].choices = [("", "—")] + [
            (j.pk, f"{j.code} {j.name}") for j in places
        ]
        self.fields["department"].choices = [("", "—")] + [(d.pk, d.name) for d in departments]


class DepartmentForm(forms.Form):
    code = forms.RegexField(label=_("部门编码"), max_length=20, regex=r"^[A-Za-z0-9_-]+$")
    name = forms.CharField(label=_("部门名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Department.KINDS)


class PlaceForm(forms.Form):
    code = forms.RegexField(
        label=_("区划代码"),
        regex=r"^\d{9}(\d{3}){0,2}$",
        help_text=_("街乡9位、社区12位、网格15位"),
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(
        label=_("类型（街乡）"), choices=[("", "—")] + Jurisdiction.KINDS, required=False
    )


class OverrideForm(forms.Form):
    day_date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("该日"),
        coerce=lambda v: v == "1",
        choices=[("0", _("放假")), ("1", _("上班（调休）"))],
    )
    reason = forms.CharField(label=_("原因"), max_length=200)
