"""The legal affairs office's pages: versions, the duty table with its analysis, editing a
draft, Excel in and out, publishing, and the diff of two versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.core import validate as V
from shaobao.core.errors import DomainError
from shaobao.duties import analysis, excel, services
from shaobao.duties.forms import DutyForm, ImportForm, PublishForm
from shaobao.duties.models import DutyList, Matter
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import prefix_q
from shaobao.ui.helpers import actor, form_errors_message, now, post_action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lists_visible(a):
    districts = {c[:6] for c in a.codes(set(R.ALL))}
    districts |= set(
        Department.objects.filter(pk__in=a.departments(R.DEPARTMENT_ROLES)).values_list(
            "district__code", flat=True
        )
    )
    return DutyList.objects.filter(prefix_q("district__code", districts)).select_related("district")


def _redirect_after(request, fn, success, back):
    return post_action(request, None, lambda _data: fn(), success, back)


def _get(a, duty_list_id) -> DutyList:
    dl = _lists_visible(a).filter(pk=V.pk(duty_list_id)).first()
    if dl is None:
        raise Http404
    return dl


@login_required
def index(request):
    a = actor(request)
    districts = Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT).filter(
        prefix_q("code", a.codes({R.LEGAL_OFFICER}))
    )
    return render(
        request,
        "duties/index.html",
        {
            "lists": _lists_visible(a).order_by("district__code", "-version"),
            "districts": districts,
            "import_form": ImportForm(),
        },
    )


@login_required
def detail(request, duty_list_id):
    a = actor(request)
    dl = _get(a, duty_list_id)
    if request.GET.get("format") == "xlsx":
        resp = HttpResponse(excel.export(dl), content_type=XLSX)
        resp["Content-Disposition"] = f'attachment; filename="duty-list-v{dl.version}.xlsx"'
        return resp
    editable = dl.status == DutyList.DRAFT and a.covers({R.LEGAL_OFFICER}, dl.district.code)
    depts = Department.objects.filter(district=dl.district, active=True).order_by("code")
    return render(
        request,
        "duties/detail.html",
        {
            "dl": dl,
            "duties": dl.duties.select_related("matter", "lead_department")
            .prefetch_related("assist_departments")
            .order_by("matter__code", "pk"),
            "analysis": analysis.analyse(dl),
            "editable": editable,
            "form": DutyForm(matters=Matter.objects.filter(active=True), departments=depts)
            if editable
            else None,
            "publish_form": PublishForm() if editable else None,
            "others": _lists_visible(a).filter(district=dl.district).exclude(pk=dl.pk),
        },
    )


@login_required
@require_POST
def draft_new(request):
    a = actor(request)
    return _redirect_after(
        request,
        lambda: services.draft_create(
            actor=a,
            district_id=request.POST.get("district"),
            note=request.POST.get("note", ""),
            now=now(),
        ),
        _("已新建草稿"),
        "duties:index",
    )


@login_required
@require_POST
def import_view(request):
    a = actor(request)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("duties:index")
    try:
        draft = excel.import_draft(
            actor=a,
            district_id=request.POST.get("district"),
            data=form.cleaned_data["file"].read(),
            note=form.cleaned_data["note"],
            now=now(),
        )
    except excel.ImportRejected as e:
        messages.error(request, str(e.message))
        return render(request, "duties/import_errors.html", {"errors": e.errors}, status=422)
    except DomainError as e:
        messages.error(request, str(e.message))
        return redirect("duties:index")
    messages.success(request, _("已导入为草稿 v%(v)s，请核对后发布") % {"v": draft.version})
    return redirect("duties:detail", draft.pk)


@login_required
@require_POST
def duty_add(request, duty_list_id):
    a = actor(request)
    dl = _get(a, duty_list_id)
    form = DutyForm(
        request.POST,
        matters=Matter.objects.filter(active=True),
        departments=Department.objects.filter(district=dl.district, active=True),
    )
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("duties:detail", dl.pk)
    d = dict(form.cleaned_data)
    return _redirect_after(
        request,
        lambda: services.duty_save(
            actor=a,
            duty_list_id=dl.pk,
            matter_id=d.pop("matter"),
            lead_department_id=d.pop("lead_department"),
            assist_department_ids=d.pop("assist_departments"),
            now=now(),
            **d,
        ),
        _("已保存"),
        f"/duties/{dl.pk}/",
    )


@login_required
@require_POST
def duty_remove(request, duty_list_id, duty_id):
    a = actor(request)
    return _redirect_after(
        request,
        lambda: services.duty_remove(
            actor=a, duty_list_id=duty_list_id, duty_id=duty_id, now=now()
        ),
        _("已删除"),
        f"/duties/{duty_list_id}/",
    )


@login_required
@require_POST
def publish(request, duty_list_id):
    a = actor(request)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("duties:detail", duty_list_id)
    return _redirect_after(
        request,
        lambda: services.publish(
            actor=a,
            duty_list_id=duty_list_id,
            active_from=form.cleaned_data["active_from"],
            now=now(),
        ),
        _("已发布"),
        f"/duties/{duty_list_id}/",
    )


@login_required
def diff_view(request):
    a = actor(request)
    old, new = _get(a, request.GET.get("a")), _get(a, request.GET.get("b"))
    return render(
        request, "duties/diff.html", {"old": old, "new": new, "diff": analysis.diff(old, new)}
    )
