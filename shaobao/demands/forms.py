from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from shaobao.demands.models import KINDS, Callback
from shaobao.demands.routes import ROUTES


class IntakeForm(forms.Form):
    caller_phone = forms.CharField(
        label=_("来电号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel"}),
    )
    caller_name = forms.CharField(label=_("来电人"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("诉求类型"), choices=KINDS, initial="COMPLAINT")
    # While the operator types, the router's suggestions and the caller's recent demands load
    # beside the form (htmx).
    text = forms.CharField(
        label=_("诉求内容"),
        max_length=4000,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "hx-get": reverse_lazy("demands:hints"),
                "hx-trigger": "input changed delay:600ms",
                "hx-target": "#hints",
                "hx-include": "#id_caller_phone",
            }
        ),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    township = forms.TypedChoiceField(label=_("街乡"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, townships=(), **kw):
        super().__init__(*args, **kw)
        self.fields["township"].choices = [("", "—")] + [(t.pk, t.name) for t in townships]


class DispatchForm(forms.Form):
    matter = forms.TypedChoiceField(label=_("事项"), coerce=int, required=False, empty_value=None)
    handler = forms.ChoiceField(label=_("承办单位"))

    def __init__(self, *args, matters=(), departments=(), townships=(), district=None, **kw):
        super().__init__(*args, **kw)
        self.fields["matter"].choices = [("", "—")] + [(m.pk, m.path) for m in matters]
        self.fields["handler"].choices = (
            [(f"d{d.pk}", d.name) for d in departments]
            + [(f"t{t.pk}", t.name) for t in townships]
            + ([("district", _("区政府（职责不清，兜底）"))] if district else [])
        )


class RouteForm(forms.Form):
    route = forms.ChoiceField(label=_("不派单情形"), choices=ROUTES)
    reply = forms.CharField(
        label=_("答复（不填用标准答复）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("办理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CallbackForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("联系上来电人"), coerce=lambda v: v == "1", choices=[("1", _("是")), ("0", _("否"))]
    )
    solved = forms.TypedChoiceField(
        label=_("是否解决"),
        coerce=lambda v: {"1": True, "0": False}.get(v),
        choices=[("", "—"), ("1", _("已解决")), ("0", _("未解决"))],
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=[("", "—")] + Callback.SATISFACTION, required=False
    )
    note = forms.CharField(label=_("备注"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("不纳入考核的原因"), max_length=500)


class CitizenForm(forms.Form):
    kind = forms.ChoiceField(label=_("诉求类型"), choices=KINDS, initial="COMPLAINT")
    text = forms.CharField(
        label=_("请描述您的诉求"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    township = forms.TypedChoiceField(
        label=_("所在街乡"), coerce=int, required=False, empty_value=None
    )
    caller_name = forms.CharField(label=_("您的称呼"), max_length=50, required=False)
    caller_phone = forms.RegexField(
        label=_("手机号码（用于回访和查询）"),
        regex=r"^1[0-9]{10}$",
        max_length=11,
        error_messages={"invalid": _("请填写以1开头的11位手机号码")},
    )

    def __init__(self, *args, townships=(), **kw):
        super().__init__(*args, **kw)
        self.fields["township"].choices = [("", "—")] + [(t.pk, t.name) for t in townships]


class TrackForm(forms.Form):
    number = forms.RegexField(
        label=_("诉求编号"),
        regex=r"^SQ[0-9]{9}$",
        max_length=11,
        error_messages={"invalid": _("诉求编号为SQ加9位数字，如 SQ000000123")},
    )
    phone_last4 = forms.RegexField(
        label=_("手机号后四位"),
        regex=r"^[0-9]{4}$",
        max_length=4,
        error_messages={"invalid": _("请填写手机号码的后四位数字")},
    )


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    claimed_owner = forms.TypedChoiceField(
        label=_("应由哪个部门负责"), coerce=int, required=False, empty_value=None
    )
    claimed_duty = forms.CharField(label=_("依据的职责"), max_length=300, required=False)

    def __init__(self, *args, departments=(), **kw):
        super().__init__(*args, **kw)
        self.fields["claimed_owner"].choices = [("", "—")] + [(d.pk, d.name) for d in departments]


class RuleForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("裁定"), choices=[("DISMISS", _("驳回异议")), ("REASSIGN", _("异议成立，改派"))]
    )
    reassign_to = forms.TypedChoiceField(
        label=_("改派部门"), coerce=int, required=False, empty_value=None
    )
    amend_duty_list = forms.BooleanField(label=_("同时修订权责清单（写入草稿）"), required=False)
    ruling = forms.CharField(label=_("裁定意见"), max_length=1000)

    def __init__(self, *args, departments=(), **kw):
        super().__init__(*args, **kw)
        self.fields["reassign_to"].choices = [("", "—")] + [(d.pk, d.name) for d in departments]


class AppealRuleForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=_("复核结论"),
        coerce=lambda v: v == "1",
        choices=[("0", _("维持原回访结果")), ("1", _("申诉成立，更正"))],
    )
    solved = forms.TypedChoiceField(
        label=_("更正：是否解决"),
        coerce=lambda v: {"1": True, "0": False}.get(v),
        choices=[("", "—"), ("1", _("已解决")), ("0", _("未解决"))],
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label=_("更正：满意度"), choices=[("", "—")] + Callback.SATISFACTION, required=False
    )
    ruling = forms.CharField(label=_("复核意见"), max_length=1000)
