from django import forms
from django.utils.translation import gettext_lazy as _

from shaobao.whistles.models import AREAS, KINDS, MODES, URGENCIES

DT = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
}


class WhistleForm(forms.Form):
    township = forms.TypedChoiceField(label=_("吹哨街乡"), coerce=int)
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("情况说明"), max_length=4000, widget=forms.Textarea)
    address = forms.CharField(label=_("地点"), max_length=200)
    area = forms.ChoiceField(label=_("领域（法定）"), choices=AREAS)
    kind = forms.ChoiceField(label=_("哨类"), choices=KINDS)
    mode = forms.ChoiceField(label=_("方式"), choices=MODES)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=URGENCIES)
    matter = forms.TypedChoiceField(label=_("事项"), coerce=int, required=False, empty_value=None)
    lead = forms.TypedChoiceField(
        label=_("牵头部门"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("不选则按权责清单"),
    )
    assists = forms.TypedMultipleChoiceField(
        label=_("配合部门"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    campaign = forms.TypedChoiceField(
        label=_("所属专项行动"), coerce=int, required=False, empty_value=None
    )
    report_by_at = forms.DateTimeField(
        label=_("报到时限"), required=False, help_text=_("不填按默认"), **DT
    )
    finish_by_at = forms.DateTimeField(
        label=_("办结时限"), required=False, help_text=_("不填按事项时限（工作日历）"), **DT
    )
    launch_at = forms.DateTimeField(label=_("行动时间（突击式）"), required=False, **DT)
    meeting_point = forms.CharField(label=_("集合地点（突击式）"), max_length=200, required=False)
    ledger_items = forms.CharField(
        label=_("账单事项（账单式，每行一项）"),
        required=False,
        widget=forms.Textarea,
        max_length=20000,
    )
    problem_ids = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, townships=(), matters=(), departments=(), campaigns=(), **kw):
        super().__init__(*args, **kw)
        self.fields["township"].choices = [(j.pk, j.name) for j in townships]
        self.fields["matter"].choices = [("", "—")] + [(m.pk, m.path) for m in matters]
        dchoices = [(d.pk, d.name) for d in departments]
        self.fields["lead"].choices = [("", "—")] + dchoices
        self.fields["assists"].choices = dchoices
        self.fields["campaign"].choices = [("", "—")] + [(c.pk, c.name) for c in campaigns]

    def clean_problem_ids(self):
        raw = self.cleaned_data.get("problem_ids") or ""
        try:
            return [int(x) for x in raw.split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("问题编号无效")) from None

    def clean_ledger_items(self):
        lines = [x.strip() for x in (self.cleaned_data.get("ledger_items") or "").splitlines()]
        return [x for x in lines if x]


class AcknowledgeForm(forms.Form):
    officers = forms.TypedMultipleChoiceField(
        label=_("指派执法人员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    officer_names = forms.CharField(label=_("其他到场人员"), max_length=200, required=False)

    def __init__(self, *args, officers=(), **kw):
        super().__init__(*args, **kw)
        self.fields["officers"].choices = [(u.pk, str(u)) for u in officers]


class CheckInForm(forms.Form):
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class OutcomeForm(forms.Form):
    inspections = forms.IntegerField(
        label=_("检查次数"), min_value=0, max_value=1_000_000, initial=0
    )
    cases_filed = forms.IntegerField(label=_("立案数"), min_value=0, max_value=1_000_000, initial=0)
    fines_yuan = forms.DecimalField(
        label=_("罚款（元）"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    items_removed = forms.IntegerField(
        label=_("拆除/清理数"), min_value=0, max_value=1_000_000, initial=0
    )
    note = forms.CharField(
        label=_("工作情况"), max_length=2000, required=False, widget=forms.Textarea
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)


class ClaimForm(forms.Form):
    note = forms.CharField(label=_("办结说明"), max_length=500, required=False)


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核查结论"), choices=[("ACCEPT", _("通过")), ("REJECT", _("不通过，返工"))]
    )
    reason = forms.CharField(label=_("核查意见"), max_length=500, required=False)


SCORES = [(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")]


class EvaluationForm(forms.Form):
    timeliness = forms.TypedChoiceField(label=_("及时性"), choices=SCORES, coerce=int)
    cooperation = forms.TypedChoiceField(label=_("配合度"), choices=SCORES, coerce=int)
    effectiveness = forms.TypedChoiceField(label=_("实效性"), choices=SCORES, coerce=int)
    comment = forms.CharField(label=_("评价意见"), max_length=1000, required=False)
    correction_reason = forms.CharField(
        label=_("更正原因（更正时必填）"), max_length=500, required=False
    )


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("异议理由"), max_length=2000, widget=forms.Textarea)
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
    ruling = forms.CharField(label=_("裁定意见"), max_length=1000)

    def __init__(self, *args, departments=(), **kw):
        super().__init__(*args, **kw)
        self.fields["reassign_to"].choices = [("", "—")] + [(d.pk, d.name) for d in departments]


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("督办意见"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=500)


class LedgerClearForm(forms.Form):
    evidence_note = forms.CharField(label=_("销账说明"), max_length=500)


class CampaignForm(forms.Form):
    township = forms.TypedChoiceField(label=_("街乡"), coerce=int)
    name = forms.CharField(label=_("专项行动名称"), max_length=100)
    commander = forms.TypedChoiceField(label=_("总指挥"), coerce=int)
    executive_commander = forms.TypedChoiceField(label=_("执行指挥"), coerce=int)
    departments = forms.TypedMultipleChoiceField(
        label=_("成员单位"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    starts_date = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_date = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, townships=(), people=(), departments=(), **kw):
        super().__init__(*args, **kw)
        self.fields["township"].choices = [(j.pk, j.name) for j in townships]
        self.fields["commander"].choices = [(u.pk, str(u)) for u in people]
        self.fields["executive_commander"].choices = [(u.pk, str(u)) for u in people]
        self.fields["departments"].choices = [(d.pk, d.name) for d in departments]


class RoutineForm(forms.Form):
    township = forms.TypedChoiceField(label=_("街乡"), coerce=int)
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("情况说明"), max_length=4000, widget=forms.Textarea)
    address = forms.CharField(label=_("地点"), max_length=200)
    area = forms.ChoiceField(label=_("领域（法定）"), choices=AREAS)
    kind = forms.ChoiceField(label=_("哨类"), choices=KINDS)
    lead = forms.TypedChoiceField(label=_("牵头部门"), coerce=int)
    assists = forms.TypedMultipleChoiceField(
        label=_("配合部门"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    every_days = forms.IntegerField(label=_("每隔几天"), min_value=1, max_value=366, initial=7)
    first_run_at = forms.DateTimeField(label=_("首次吹哨时间"), **DT)

    def __init__(self, *args, townships=(), departments=(), **kw):
        super().__init__(*args, **kw)
        self.fields["township"].choices = [(j.pk, j.name) for j in townships]
        self.fields["lead"].choices = [(d.pk, d.name) for d in departments]
        self.fields["assists"].choices = [(d.pk, d.name) for d in departments]
