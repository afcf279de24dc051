from django import forms
from django.utils.translation import gettext_lazy as _

from shaobao.notify.models import CHANNELS, EVENTS
from shaobao.org import roles as R

TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[c for c in CHANNELS if c[0] in {"wecom", "dingtalk", "webhook"}]
    )
    url = forms.URLField(label=_("地址"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("密钥（加签）"), max_length=200, required=False, widget=forms.PasswordInput
    )
    rate_limit = forms.IntegerField(
        label=_("每个时间窗最多条数"), min_value=1, max_value=10000, initial=20
    )
    rate_window_seconds = forms.IntegerField(
        label=_("时间窗（秒）"), min_value=1, max_value=86400, initial=60
    )


class SubscriptionForm(forms.Form):
    scope = forms.ChoiceField(label=_("订阅单位"))
    channel = forms.ChoiceField(label=_("渠道"), choices=[c for c in CHANNELS if c[0] != "log"])
    endpoint = forms.TypedChoiceField(
        label=_("接收端（群机器人/Webhook）"), coerce=int, required=False, empty_value=None
    )
    address = forms.CharField(label=_("地址（邮箱或手机号）"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("事件（不选即全部）"),
        choices=EVENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label=_("群内人员的角色"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (r, lbl)
            for r, lbl in R.CHOICES
            if r in R.DEPARTMENT_ROLES | R.TOWNSHIP_ROLES | {R.DISTRICT_SUPERVISOR, R.LEGAL_OFFICER}
        ],
        help_text=_("保密行动的通知只发给全部成员都有权知悉的群"),
    )
    urgent_only = forms.BooleanField(label=_("只接收紧急通知"), required=False)
    quiet_from = forms.TimeField(label=_("免打扰开始"), required=False, **TIME)
    quiet_to = forms.TimeField(label=_("免打扰结束"), required=False, **TIME)

    def __init__(self, *args, scopes=(), endpoints=(), **kw):
        super().__init__(*args, **kw)
        self.fields["scope"].choices = list(scopes)
        self.fields["endpoint"].choices = [("", "—")] + [
            (e.pk, f"{e.name}（{e.get_channel_display()}）") for e in endpoints
        ]


class MySubscriptionForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("email", _("电子邮件")), ("sms", _("短信"))]
    )
    address = forms.CharField(
        label=_("地址（邮箱或手机号，不填用账号登记的）"), max_length=200, required=False
    )
    events = forms.MultipleChoiceField(
        label=_("事件（不选即全部）"),
        choices=EVENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgent_only = forms.BooleanField(label=_("只接收紧急通知"), required=False)
    quiet_from = forms.TimeField(label=_("免打扰开始"), required=False, **TIME)
    quiet_to = forms.TimeField(label=_("免打扰结束"), required=False, **TIME)
