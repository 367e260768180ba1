from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from core.exports import Sheet, xlsx_response
from core.forms import add_service_error
from core.listing import export_url, paginate, wants_export

from .. import indicators, services, tasks
from ..forms import PlanForm, TargetForm
from ..models import Plan, Target
from ..permissions import can_manage_plans, can_view_plans


def get_plan_for_user(user, pk: int) -> Plan:
    return get_object_or_404(Plan.objects.visible_to(user), pk=pk)


def get_target_for_user(user, pk: int) -> Target:
    return get_object_or_404(
        Target.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related(
            "plan", "district", "commune"
        ),
        pk=pk,
    )


@require_GET
def plan_list(request):
    if not can_view_plans(request.user):
        raise PermissionDenied
    plans = (
        Plan.objects.visible_to(request.user)
        .select_related("province")
        .annotate(target_count=Count("targets"))
        .order_by("-year", "-issued_on", "-pk")
    )
    if wants_export(request):
        headers = [
            _("Year"),
            _("Document number"),
            _("Date issued"),
            _("Plan title"),
            _("Lead agency"),
            _("Signed by"),
            _("Status"),
            _("Targets"),
        ]
        rows = (
            (
                p.year,
                p.number,
                p.issued_on,
                p.title,
                p.lead_agency,
                p.signer,
                p.get_status_display(),
                p.target_count,
            )
            for p in plans
        )
        return xlsx_response(_("plans"), [Sheet(_("Plans"), headers, rows)])
    return render(
        request,
        "plans/plan_list.html",
        {
            "page_obj": paginate(request, plans),
            "export_url": export_url(request),
            "can_manage": can_manage_plans(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_create(request):
    if not can_manage_plans(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Plan saved. Now add its targets."))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form})


@require_GET
def plan_detail(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    targets = plan.targets.select_related("district", "commune").order_by("pk")
    rows = []
    for target in targets:
        indicator = indicators.get(target.indicator)
        rows.append(
            {
                "target": target,
                "indicator": indicator,
                "label": indicator.label_for(plan.year) if indicator else "",
            }
        )
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "can_manage": can_manage_plans(request.user, plan),
            "target_form": TargetForm(plan=plan),
            "history": history_rows(plan),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    if not can_manage_plans(request.user, plan):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=Plan.objects.get(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(plan=plan, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@require_POST
def plan_status(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    if not can_manage_plans(request.user, plan):
        raise PermissionDenied
    status = request.POST.get("status", "")
    try:
        services.set_plan_status(plan=plan, user=request.user, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Plan status changed."))
    return redirect(plan)


@require_POST
def plan_refresh(request, pk: int):
    """Queue the plan's progress job now instead of waiting for the night."""
    plan = get_plan_for_user(request.user, pk)
    if not can_manage_plans(request.user, plan):
        raise PermissionDenied
    tasks.enqueue_plan(plan.pk)
    messages.success(
        request, _("The figures are being recomputed; reload the page in a moment.")
    )
    return redirect(f"{reverse('plans:dashboard')}?year={plan.year}&plan={plan.pk}")


@require_http_methods(["GET", "POST"])
def target_create(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    if not can_manage_plans(request.user, plan):
        raise PermissionDenied
    form = TargetForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_target(plan=plan, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Target added."))
            return redirect(plan)
    return render(request, "plans/target_form.html", {"form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int):
    target = get_target_for_user(request.user, pk)
    plan = target.plan
    if not can_manage_plans(request.user, plan):
        raise PermissionDenied
    form = TargetForm(
        request.POST or None, plan=plan, instance=Target.objects.get(pk=target.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_target(
                target=target, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Target saved."))
            return redirect(plan)
    return render(
        request,
        "plans/target_form.html",
        {"form": form, "plan": plan, "target": target},
    )


@require_POST
def target_delete(request, pk: int):
    target = get_target_for_user(request.user, pk)
    if not can_manage_plans(request.user, target.plan):
        raise PermissionDenied
    plan = services.delete_target(target=target, user=request.user)
    messages.success(request, _("Target removed."))
    return redirect(plan)
