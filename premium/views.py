from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.http import refused, render_page, wants_fragment
from core.queries import FirstPage
from premium import selectors, services
from premium.forms import OpenProfileForm
from premium.models import Plan


def _refused(request, error, *, back=None):
    return refused(request, error, back=back or reverse("premium:my_premium"))


@login_required
def my_premium(request):
    member = request.user
    history = FirstPage(
        lambda: selectors.credit_history(member=member),
        lambda: selectors.credit_history_first_page(member=member),
        size=selectors.HISTORY_PAGE_SIZE,
        page=request.GET.get("page"),
    )
    history = Paginator(history, selectors.HISTORY_PAGE_SIZE)
    context = {"history": history.get_page(request.GET.get("page"))}
    # The history's page links swap the history alone, which needs nothing else.
    if not wants_fragment(request):
        status = services.premium_status(member=member)
        context.update(
            status=status,
            expiring=selectors.credits_expiring(lots=status.lots),
            soon_before=(timezone.now() + timedelta(days=selectors.EXPIRING_SOON_DAYS)).date(),
            plans=selectors.plans_on_offer(),
        )
    return render_page(request, "premium/my_premium.html", context, fragment="history")


@login_required
def checkout(request, slug):
    """The confirmation step for starting a plan or changing to it. No payment is taken."""
    plan = get_object_or_404(Plan, slug=slug)
    status = services.premium_status(member=request.user)
    if (error := services.checkout_refusal(status=status, plan=plan)) is not None:
        return _refused(request, error)
    changing = status.subscription is not None
    if request.method == "POST":
        service = services.subscription_change if changing else services.subscription_start
        try:
            new_status = service(member=request.user, plan=plan, actor=request.user)
        except DomainError as error:
            return _refused(request, error)
        messages.success(
            request,
            f"Welcome to {plan.name}! You have {new_status.balance} InMail credits to use.",
        )
        return redirect("premium:my_premium")
    preview = selectors.checkout_preview(subscription=status.subscription)
    context = {
        "plan": plan,
        "status": status,
        "changing": changing,
        "next_allowance_at": preview.next_allowance_at,
        "expires_at": preview.expires_at,
    }
    if changing:
        context["change"] = services.plan_change_preview(status=status, plan=plan)
    return render(request, "premium/checkout.html", context)


def _confirm(request, *, service, refusal, template, success):
    status = services.premium_status(member=request.user)
    if (error := refusal(status=status)) is not None:
        return _refused(request, error)
    if request.method == "POST":
        try:
            status = service(member=request.user)
        except DomainError as error:
            return _refused(request, error)
        messages.success(request, success(status))
        return redirect("premium:my_premium")
    return render(request, template, {"status": status})


@login_required
def cancel(request):
    return _confirm(
        request,
        service=services.subscription_cancel,
        refusal=services.cancel_refusal,
        template="premium/cancel.html",
        success=lambda status: (
            f"{status.plan.name} is cancelled. It stays yours, credits included, until "
            f"{services.display_date(status.ends_at)}."
        ),
    )


@login_required
def reactivate(request):
    return _confirm(
        request,
        service=services.subscription_reactivate,
        refusal=services.reactivate_refusal,
        template="premium/reactivate.html",
        success=lambda status: f"{status.plan.name} is active again. Welcome back!",
    )


@login_required
@require_POST
def open_profile(request):
    form = OpenProfileForm(request.POST)
    form.is_valid()  # A checkbox: anything but "on" is off.
    enabled = form.cleaned_data.get("open_profile", False)
    try:
        services.open_profile_set(member=request.user, enabled=enabled)
    except DomainError as error:
        return _refused(request, error, back=reverse("accounts:settings"))
    messages.success(
        request,
        "Open Profile is on: any member can message you for free."
        if enabled
        else "Open Profile is off: members outside your network need an InMail credit.",
    )
    return redirect("accounts:settings")
