from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.core.errors import DomainError
from shaobao.duties.routing import suggest
from shaobao.duties.selectors import active_matters
from shaobao.org import roles as R
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import prefix_q
from shaobao.problems import services
from shaobao.problems.forms import CloseForm, EditForm, ProblemForm, TriageForm
from shaobao.problems.models import Problem
from shaobao.problems.permissions import access_problem, may_edit
from shaobao.problems.selectors import problem_list
from shaobao.ui.helpers import actor, form_errors_message, image_response, now
from shaobao.whistles.permissions import whistles_visible_to


def _townships_for(a):
    codes = a.codes(R.TOWNSHIP_ROLES | R.GRID_ROLES)
    nine = sorted({c[:9] for c in codes})
    qs = Jurisdiction.objects.filter(level=Jurisdiction.TOWNSHIP, active=True)
    if nine:
        return list(qs.filter(code__in=nine))
    districts = {c[:6] for c in a.codes(set(R.ALL))}
    if a.departments(R.DEPARTMENT_ROLES):
        from shaobao.org.models import Department

        districts |= set(
            Department.objects.filter(pk__in=a.departments(R.DEPARTMENT_ROLES)).values_list(
                "district__code", flat=True
            )
        )
    return list(qs.filter(prefix_q("code", districts)))


@login_required
def problem_list_view(request):
    a = actor(request)
    status = request.GET.get("status", "")
    qs = problem_list(viewer=a, status=status, q=request.GET.get("q", ""))
    if request.GET.get("format") == "xlsx":
        # Small lists come back at once; large ones become a job (shaobao/exports).
        from shaobao.exports.views import answer_export

        return answer_export(request, "problems", {"status": status, "q": request.GET.get("q", "")})
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "problems/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Problem.STATUSES,
            "q": request.GET.get("q", ""),
        },
    )


@login_required
def problem_new(request):
    a = actor(request)
    townships = _townships_for(a)
    places = Jurisdiction.objects.filter(
        prefix_q("code", [t.code for t in townships]),
        level__in=[Jurisdiction.COMMUNITY, Jurisdiction.GRID],
    ).order_by("code")[:500]
    kw = {"townships": townships, "places": places, "matters": active_matters()}
    form = ProblemForm(request.POST or None, request.FILES or None, **kw)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            dept = next(iter(a.departments(R.DEPARTMENT_ROLES)), None)
            try:
                p = services.problem_create(
                    actor=a,
                    township_id=d["township"],
                    title=d["title"],
                    description=d["description"],
                    address=d["address"],
                    matter_id=d["matter"],
                    place_id=d["place"],
                    lat=d["lat"],
                    lng=d["lng"],
                    priority=d["priority"],
                    reporting_department_id=dept,
                    photos=request.FILES.getlist("photos"),
                    now=now(),
                )
            except DomainError as e:
                messages.error(request, str(e.message))
            else:
                messages.success(request, _("问题已上报，编号 %(n)s") % {"n": p.number})
                return redirect("problems:detail", p.pk)
        else:
            messages.error(request, form_errors_message(form))
    return render(request, "problems/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def problem_detail(request, problem_id):
    a = actor(request)
    p = access_problem(a, problem_id)
    matters = active_matters()
    return render(
        request,
        "problems/detail.html",
        {
            "p": p,
            "can_edit": may_edit(a, p),
            "photos": p.photos.all(),
            "triage_form": TriageForm(
                matters=matters, initial={"matter": p.matter_id, "priority": p.priority}
            ),
            "close_form": CloseForm(),
            "routing": suggest(
                text=p.description, subject=p.title, district_code=p.township.code[:6], now=now()
            )
            if may_edit(a, p) and p.status in (Problem.NEW, Problem.TRIAGED)
            else None,
            "edit_form": EditForm(
                auto_id="id_edit_%s",
                initial={
                    "title": p.title,
                    "description": p.description,
                    "address": p.address,
                    "priority": p.priority,
                },
            ),
            "whistles": whistles_visible_to(a, now=now()).filter(problems=p),
            "can_whistle": a.covers(R.TOWNSHIP_ROLES, p.township.code)
            and p.status in (Problem.NEW, Problem.TRIAGED, Problem.WHISTLED),
        },
    )


@login_required
@require_POST
def problem_triage(request, problem_id):
    form = TriageForm(request.POST, matters=active_matters())
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("problems:detail", problem_id)
    try:
        services.problem_triage(
            actor=actor(request),
            problem_id=problem_id,
            matter_id=form.cleaned_data["matter"],
            priority=form.cleaned_data["priority"],
            note=form.cleaned_data["note"],
            now=now(),
        )
        messages.success(request, _("已完成研判"))
    except DomainError as e:
        messages.error(request, str(e.message))
    return redirect("problems:detail", problem_id)


@login_required
@require_POST
def problem_close(request, problem_id):
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("problems:detail", problem_id)
    try:
        services.problem_close(
            actor=actor(request),
            problem_id=problem_id,
            reason=form.cleaned_data["reason"],
            merged_into_id=form.cleaned_data["merged_into"],
            now=now(),
        )
        messages.success(request, _("问题已关闭，上报人将收到通知"))
    except DomainError as e:
        messages.error(request, str(e.message))
    return redirect("problems:detail", problem_id)


@login_required
def problem_photo(request, problem_id, photo_id):
    """Photos are served only to those who may see the problem (no public media URL)."""
    from django.http import Http404

    p = access_problem(actor(request), problem_id)
    photo = p.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return image_response(photo.image)


@login_required
@require_POST
def problem_edit(request, problem_id):
    form = EditForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("problems:detail", problem_id)
    try:
        services.problem_update(
            actor=actor(request), problem_id=problem_id, now=now(), **form.cleaned_data
        )
        messages.success(request, _("问题已更新"))
    except DomainError as e:
        messages.error(request, str(e.message))
    return redirect("problems:detail", problem_id)
