"""Tier management in the admin: plans, subscriptions, credit adjustments and the ledger.

Every change a page makes goes through a premium service with the staff member as the actor;
a refusal is shown with the service's message and changes nothing.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django import forms
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from premium import services
from premium.admin import SubscriptionStartForm
from premium.models import (
    MAX_MONTHLY_CREDITS,
    CreditGrant,
    LedgerEntry,
    Plan,
    Subscription,
    add_months,
)
from tests.assertions import queries_for, text
from tests.factories import MemberFactory, subscribe

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
PLANS = reverse("admin:premium_plan_changelist")
SUBSCRIPTIONS = reverse("admin:premium_subscription_changelist")
ADD_SUBSCRIPTION = reverse("admin:premium_subscription_add")
LEDGER = reverse("admin:premium_ledgerentry_changelist")
GRANTS = reverse("admin:premium_creditgrant_changelist")
MEMBERS = reverse("admin:accounts_member_changelist")
CHANGELISTS = {
    "plans": PLANS,
    "subscriptions": SUBSCRIPTIONS,
    "ledger": LEDGER,
    "credit grants": GRANTS,
    "members": MEMBERS,
}


@pytest.fixture
def staff(db):
    return MemberFactory(
        first_name="Sam",
        last_name="Staff",
        email="sam@example.com",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def premium_member(member, clock):
    """Ada, on Premium Essentials (5 credits a month, cap 15) since START."""
    subscribe(member, "premium-essentials")
    return member


def plan(slug):
    return Plan.objects.get(slug=slug)


def live(member):
    return Subscription.objects.live().select_related("plan").get(member=member)


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


def ledger_rows():
    return list(LedgerEntry.objects.order_by("id").values_list("id", "member", "amount"))


def run_action(client, action, subscriptions, **form):
    """Run an action from the subscription list; `form` fills its intermediate page."""
    data = {"action": action, "_selected_action": [sub.pk for sub in subscriptions]}
    if form:
        data.update(form, apply="1")
    else:
        data["index"] = "0"
    return client.post(SUBSCRIPTIONS, data, follow=True)


def plan_row(plan, **changes):
    """The list-editable POST of one plan's row, as the plan list submits it."""
    row = {
        "id": plan.pk,
        "monthly_price": plan.monthly_price,
        "monthly_credits": plan.monthly_credits,
        "balance_cap": plan.balance_cap,
        "is_active": "on" if plan.is_active else None,
        "order": plan.order,
        **changes,
    }
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update({f"form-0-{name}": value for name, value in row.items() if value is not None})
    return data


# --- who may use it --------------------------------------------------------------------------


@pytest.mark.parametrize("page", CHANGELISTS)
def test_each_list_answers_staff(staff_client, premium_member, page):
    response = staff_client.get(CHANGELISTS[page])

    assert response.status_code == 200


@pytest.mark.parametrize("page", [*CHANGELISTS, "add subscription"])
def test_members_who_are_not_staff_are_sent_to_the_admin_login(member_client, page):
    url = CHANGELISTS.get(page, ADD_SUBSCRIPTION)

    response = member_client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_member_who_is_not_staff_cannot_adjust_credits(client, premium_member):
    client.force_login(MemberFactory())
    before = ledger_rows()

    response = client.post(
        SUBSCRIPTIONS,
        {
            "action": "adjust_credits",
            "_selected_action": [live(premium_member).pk],
            "amount": "5",
            "reason": "Let me in",
            "apply": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert ledger_rows() == before


def test_staff_without_premium_permissions_is_refused_and_nothing_changes(client, premium_member):
    client.force_login(MemberFactory(is_staff=True))
    sub = live(premium_member)

    listing = client.get(SUBSCRIPTIONS)
    cancel = client.post(
        SUBSCRIPTIONS,
        {"action": "cancel_subscriptions", "_selected_action": [sub.pk], "index": "0"},
    )
    edit = client.post(PLANS, plan_row(plan("premium-essentials"), monthly_credits=50))

    assert (listing.status_code, cancel.status_code, edit.status_code) == (403, 403, 403)
    assert live(premium_member).status == Subscription.Status.ACTIVE
    assert plan("premium-essentials").monthly_credits == 5


# --- plans -----------------------------------------------------------------------------------


def test_plan_list_counts_live_subscribers(staff_client, clock):
    on_essentials = MemberFactory.create_batch(3)
    for member in on_essentials:
        subscribe(member, "premium-essentials")
    services.subscription_cancel(member=on_essentials[0])  # still live to its month's end
    services.subscription_change(member=on_essentials[1], plan=plan("premium-pro"))

    response = staff_client.get(PLANS)

    counts = {row.name: row.subscriber_count for row in response.context["cl"].result_list}
    assert counts["Premium Essentials"] == 2
    assert counts["Premium Pro"] == 1
    assert counts["Recruiter Lite"] == 0


def test_plans_sort_by_subscriber_count(staff_client, clock):
    for member in MemberFactory.create_batch(2):
        subscribe(member, "recruiter-lite")
    subscribe(MemberFactory(), "premium-pro")

    response = staff_client.get(PLANS, {"o": "-7"})

    names = [row.name for row in response.context["cl"].result_list]
    assert names[:2] == ["Recruiter Lite", "Premium Pro"]


def test_new_monthly_credits_apply_from_each_subscribers_next_allowance(
    staff_client, premium_member, clock
):
    essentials = plan("premium-essentials")

    response = staff_client.post(PLANS, plan_row(essentials, monthly_credits=8), follow=True)

    assert "1 plan was changed successfully." in shown_messages(response)
    assert plan("premium-essentials").monthly_credits == 8
    assert services.credits_balance(member=premium_member) == 5

    clock.move_to(add_months(START, 1))
    assert services.credits_balance(member=premium_member) == 13
    allowance = LedgerEntry.objects.filter(member=premium_member).first()
    assert (allowance.reason, allowance.amount) == (LedgerEntry.Reason.GRANT, 8)


def test_an_allowance_already_due_keeps_the_old_monthly_credits(
    staff_client, premium_member, clock
):
    # The anniversary has come but nobody read the member's balance since.
    clock.move_to(add_months(START, 1) + timedelta(days=2))

    staff_client.post(PLANS, plan_row(plan("premium-essentials"), monthly_credits=8))

    assert services.credits_balance(member=premium_member) == 10
    clock.move_to(add_months(START, 2))
    assert services.credits_balance(member=premium_member) == 15  # 10 + 8, at the cap of 15


def test_a_cap_below_the_monthly_credits_is_refused_in_the_list_and_changes_nothing(
    staff_client,
):
    essentials = plan("premium-essentials")

    response = staff_client.post(
        PLANS, plan_row(essentials, monthly_credits=20, balance_cap=10, monthly_price="1.00")
    )

    assert response.status_code == 200
    assert "Please correct the error below." in text(response)
    assert "The cap must hold at least one month's credits (20). Leave it blank for 60." in text(
        response
    )
    unchanged = plan("premium-essentials")
    assert (unchanged.monthly_credits, unchanged.balance_cap, unchanged.monthly_price) == (
        5,
        15,
        Decimal("29.99"),
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"monthly_credits": 0}, "A plan grants at least one credit a month."),
        ({"monthly_price": "-1.00"}, "The price cannot be negative."),
        ({"monthly_credits": "many"}, "Enter a whole number."),
    ],
)
def test_invalid_plan_edits_show_the_error_and_change_nothing(staff_client, changes, message):
    response = staff_client.post(PLANS, plan_row(plan("premium-pro"), **changes))

    assert response.status_code == 200
    assert message in text(response)
    unchanged = plan("premium-pro")
    assert (unchanged.monthly_credits, unchanged.monthly_price) == (15, Decimal("39.99"))


def test_more_monthly_credits_than_a_plan_allows_are_refused(staff_client):
    pro = plan("premium-pro")

    response = staff_client.post(PLANS, plan_row(pro, monthly_credits=MAX_MONTHLY_CREDITS + 1))

    assert f"Ensure this value is less than or equal to {MAX_MONTHLY_CREDITS}." in text(response)
    assert plan("premium-pro").monthly_credits == 15


def test_a_blank_cap_becomes_three_months_of_credits(staff_client):
    response = staff_client.post(
        reverse("admin:premium_plan_change", args=[plan("premium-pro").pk]),
        {
            "name": "Premium Pro",
            "slug": "premium-pro",
            "tagline": "More InMail",
            "monthly_price": "39.99",
            "monthly_credits": "20",
            "balance_cap": "",
            "is_active": "on",
            "order": "20",
        },
    )

    assert response.status_code == 302
    assert plan("premium-pro").balance_cap == 60


def test_a_plan_with_subscriptions_cannot_be_deleted(staff_client, premium_member):
    essentials = plan("premium-essentials")
    url = reverse("admin:premium_plan_delete", args=[essentials.pk])

    page = staff_client.get(url)
    confirmed = staff_client.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert "Cannot delete plan" in text(page)
    assert "would require deleting the following protected related objects" in text(page)
    assert "Ada Lovelace · Premium Essentials (Active)" in text(page)
    assert confirmed.status_code == 200
    assert Plan.objects.filter(pk=essentials.pk).exists()


def test_a_plan_nobody_ever_had_can_be_deleted(staff_client):
    unused = Plan.objects.create(
        name="Trial", slug="trial", monthly_price="0", monthly_credits=1, order=99
    )

    response = staff_client.post(
        PLANS, {"action": "delete_selected", "_selected_action": [unused.pk], "post": "yes"}
    )

    assert response.status_code == 302
    assert not Plan.objects.filter(pk=unused.pk).exists()


# --- the subscription list -------------------------------------------------------------------


def test_subscription_list_shows_plan_dates_and_balance(staff_client, premium_member):
    response = staff_client.get(SUBSCRIPTIONS)

    page = text(response)
    assert ">Next allowance / ends<" in page
    assert '<td class="field-member_email">ada@example.com</td>' in page
    assert '<td class="field-credits">5</td>' in page
    assert "April 14, 2026, 9:30 a.m." in page


def test_subscriptions_are_found_by_member_name_or_email(staff_client, premium_member, clock):
    subscribe(MemberFactory(first_name="Alan", last_name="Turing", email="alan@example.com"))

    by_name = staff_client.get(SUBSCRIPTIONS, {"q": "ada lovelace"})
    by_email = staff_client.get(SUBSCRIPTIONS, {"q": "alan@"})

    assert [sub.member.email for sub in by_name.context["cl"].result_list] == ["ada@example.com"]
    assert [sub.member.email for sub in by_email.context["cl"].result_list] == ["alan@example.com"]


def test_subscriptions_filter_by_plan_and_status(staff_client, premium_member, clock):
    on_pro = MemberFactory()
    subscribe(on_pro, "premium-essentials")
    services.subscription_change(member=on_pro, plan=plan("premium-pro"))

    essentials = staff_client.get(SUBSCRIPTIONS, {"plan__id__exact": plan("premium-essentials").pk})
    ended = staff_client.get(SUBSCRIPTIONS, {"status__exact": "ended"})

    assert {(s.member, s.status) for s in essentials.context["cl"].result_list} == {
        (premium_member, "active"),
        (on_pro, "ended"),
    }
    assert [s.member for s in ended.context["cl"].result_list] == [on_pro]


# --- the subscription page -------------------------------------------------------------------


def test_a_subscriptions_page_is_read_only_and_shows_the_members_credits(
    staff_client, staff, premium_member
):
    services.credits_adjust(member=premium_member, amount=2, reason="Welcome gift", actor=staff)
    url = reverse("admin:premium_subscription_change", args=[live(premium_member).pk])

    page = staff_client.get(url)
    post = staff_client.post(url, {"status": "ended"})
    delete = staff_client.get(
        reverse("admin:premium_subscription_delete", args=[live(premium_member).pk])
    )

    assert page.status_code == 200
    assert "View subscription" in text(page)
    assert 'name="_save"' not in text(page)
    assert "<td>Welcome gift</td><td>Sam Staff</td>" in text(page)  # the history
    assert "<td>Adjustment</td><td>2</td><td>2</td>" in text(page)  # the lot
    assert "7 credits" in text(page)
    assert post.status_code == 403
    assert delete.status_code == 403
    assert live(premium_member).status == Subscription.Status.ACTIVE


# --- adding a subscription -------------------------------------------------------------------


def test_adding_a_subscription_starts_it_with_its_first_allowance(staff_client, member, clock):
    response = staff_client.post(
        ADD_SUBSCRIPTION, {"member": member.pk, "plan": plan("premium-pro").pk}, follow=True
    )

    sub = live(member)
    assert response.redirect_chain[-1][0] == SUBSCRIPTIONS
    assert f"The subscription “{sub}” was added successfully." in shown_messages(response)
    assert sub.plan.slug == "premium-pro"
    assert sub.period_end == add_months(START, 1)
    assert services.credits_balance(member=member) == 15
    assert LogEntry.objects.get(object_id=str(sub.pk)).is_addition()


def test_adding_a_subscription_for_a_member_on_a_plan_shows_the_services_refusal(
    staff_client, premium_member
):
    before = ledger_rows()

    response = staff_client.post(
        ADD_SUBSCRIPTION, {"member": premium_member.pk, "plan": plan("premium-pro").pk}
    )

    assert response.status_code == 200
    assert "Ada Lovelace: You already have Premium Essentials. Change your plan instead." in text(
        response
    )
    assert Subscription.objects.filter(member=premium_member).count() == 1
    assert ledger_rows() == before


def test_the_add_page_starts_a_subscription_with_member_and_plan_only(staff_client):
    page = text(staff_client.get(ADD_SUBSCRIPTION))

    assert "<h1>Start a subscription</h1>" in page
    assert "A member without a live plan." in page
    assert "The plan's first month of credits is granted at once." in page
    assert "Add another plan" not in page
    assert 'name="member"' in page
    assert 'name="plan"' in page
    assert 'name="status"' not in page
    assert 'name="_continue"' not in page  # the subscription's page that follows is read-only


def test_a_plan_started_between_the_forms_check_and_the_save_is_reported_not_doubled(
    staff_client, premium_member, monkeypatch
):
    # As if the member had started a plan in the moment since the form checked: the service,
    # which checks again under the member's lock, refuses.
    monkeypatch.setattr(SubscriptionStartForm, "clean", forms.ModelForm.clean)
    before = ledger_rows()

    response = staff_client.post(
        ADD_SUBSCRIPTION, {"member": premium_member.pk, "plan": plan("premium-pro").pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == ADD_SUBSCRIPTION
    assert "You already have Premium Essentials. Change your plan instead." in shown_messages(
        response
    )
    assert Subscription.objects.filter(member=premium_member).count() == 1
    assert ledger_rows() == before


def test_adding_a_subscription_offers_active_plans_only(staff_client, member):
    Plan.objects.filter(slug="recruiter-lite").update(is_active=False)

    page = staff_client.get(ADD_SUBSCRIPTION)
    response = staff_client.post(
        ADD_SUBSCRIPTION, {"member": member.pk, "plan": plan("recruiter-lite").pk}
    )

    assert "Recruiter Lite" not in text(page)
    assert "Sales Navigator Core" in text(page)
    assert "Select a valid choice." in text(response)
    assert not Subscription.objects.filter(member=member).exists()


def test_adding_a_subscription_needs_a_member(staff_client):
    response = staff_client.post(ADD_SUBSCRIPTION, {"plan": plan("premium-pro").pk})

    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert not Subscription.objects.exists()


# --- actions: adjust credits -----------------------------------------------------------------


def test_adjust_credits_asks_for_an_amount_and_a_reason(staff_client, premium_member):
    response = run_action(staff_client, "adjust_credits", [live(premium_member)])

    page = text(response)
    assert response.status_code == 200
    assert "<h1>Adjust credits</h1>" in page
    assert "Ada Lovelace" in page
    assert 'name="amount"' in page
    assert 'name="reason"' in page
    assert '<input type="hidden" name="action" value="adjust_credits">' in page


def test_adjusting_credits_adds_them_with_the_reason_in_the_members_history(
    staff_client, staff, premium_member
):
    response = run_action(
        staff_client,
        "adjust_credits",
        [live(premium_member)],
        amount="3",
        reason="Sorry about the outage",
    )

    assert "Added 3 credits to 1 member: Sorry about the outage" in shown_messages(response)
    assert services.credits_balance(member=premium_member) == 8
    entry = LedgerEntry.objects.filter(member=premium_member).first()
    assert (entry.reason, entry.amount, entry.note, entry.actor) == (
        LedgerEntry.Reason.ADJUSTMENT,
        3,
        "Sorry about the outage",
        staff,
    )
    assert CreditGrant.objects.get(member=premium_member, kind="adjustment").remaining == 3


def test_removing_credits_below_zero_is_refused_with_the_balance_and_changes_nothing(
    staff_client, premium_member
):
    before = ledger_rows()

    response = run_action(
        staff_client, "adjust_credits", [live(premium_member)], amount="-6", reason="Abuse"
    )

    assert shown_messages(response) == [
        "Ada Lovelace has 5 credits; removing 6 would take the balance below zero."
    ]
    assert ledger_rows() == before
    assert services.credits_balance(member=premium_member) == 5


def test_removing_credits_takes_them_with_the_reason(staff_client, staff, premium_member):
    response = run_action(
        staff_client, "adjust_credits", [live(premium_member)], amount="-2", reason="Duplicate"
    )

    assert "Removed 2 credits from 1 member: Duplicate" in shown_messages(response)
    entry = LedgerEntry.objects.filter(member=premium_member).first()
    assert (entry.amount, entry.balance_after, entry.note, entry.actor) == (
        -2,
        3,
        "Duplicate",
        staff,
    )


def test_one_members_refusal_does_not_stop_the_others(staff_client, premium_member, other):
    subscribe(other, "premium-pro")  # 15 credits, cap 45

    response = run_action(
        staff_client,
        "adjust_credits",
        [live(premium_member), live(other)],
        amount="11",
        reason="Conference",
    )

    assert shown_messages(response) == [
        "Ada Lovelace has 5 of at most 15 credits on Premium Essentials; adding 11 would pass "
        "the cap.",
        "Added 11 credits to 1 member: Conference",
    ]
    assert services.credits_balance(member=premium_member) == 5
    assert services.credits_balance(member=other) == 26


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"amount": "3", "reason": ""}, "This field is required."),
        ({"amount": "3", "reason": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"amount": "0", "reason": "Nothing"}, "Enter a number of credits other than zero."),
        ({"amount": "two", "reason": "Typo"}, "Enter a whole number."),
    ],
)
def test_an_invalid_adjustment_form_comes_back_with_the_error(
    staff_client, premium_member, form, error
):
    before = ledger_rows()

    response = run_action(staff_client, "adjust_credits", [live(premium_member)], **form)

    assert response.status_code == 200
    assert "Please correct the error below." in text(response)
    assert error in text(response)
    assert ledger_rows() == before


def test_credits_can_be_adjusted_from_the_subscriptions_own_page(
    staff_client, staff, premium_member
):
    url = reverse("admin:premium_subscription_change", args=[live(premium_member).pk])

    form = staff_client.post(
        url, {"CHANGE_FORM-action": "adjust_credits", "_selected_action": live(premium_member).pk}
    )
    response = staff_client.post(
        url,
        {
            "CHANGE_FORM-action": "adjust_credits",
            "_selected_action": live(premium_member).pk,
            "amount": "1",
            "reason": "Support ticket 42",
            "apply": "1",
        },
        follow=True,
    )

    assert '<input type="hidden" name="CHANGE_FORM-action" value="adjust_credits">' in text(form)
    assert response.redirect_chain == [(url, 302)]
    assert "Added 1 credit to 1 member: Support ticket 42" in shown_messages(response)
    assert LedgerEntry.objects.filter(member=premium_member).first().note == "Support ticket 42"


# --- actions: cancel and change plan ---------------------------------------------------------


def test_cancelling_keeps_the_plan_to_the_end_of_the_billing_month(
    staff_client, staff, premium_member
):
    response = run_action(staff_client, "cancel_subscriptions", [live(premium_member)])

    sub = live(premium_member)
    assert "Cancelled 1 subscription; each runs to the end of its billing month." in (
        shown_messages(response)
    )
    assert sub.status == Subscription.Status.CANCELLED
    assert sub.period_end == add_months(START, 1)
    assert services.credits_balance(member=premium_member) == 5
    assert LogEntry.objects.get(object_id=str(sub.pk)).user == staff


def test_cancelling_an_already_cancelled_subscription_is_reported(staff_client, premium_member):
    services.subscription_cancel(member=premium_member)

    response = run_action(staff_client, "cancel_subscriptions", [live(premium_member)])

    assert shown_messages(response) == [
        "Ada Lovelace: Premium Essentials is already cancelled; it ends on Apr 14, 2026."
    ]


def test_an_ended_subscription_is_not_cancelled_in_place_of_the_members_current_one(
    staff_client, premium_member
):
    services.subscription_change(member=premium_member, plan=plan("premium-pro"))
    ended = Subscription.objects.get(member=premium_member, status="ended")

    response = run_action(staff_client, "cancel_subscriptions", [ended])

    assert shown_messages(response) == [
        "Ada Lovelace: that Premium Essentials subscription has already ended."
    ]
    assert live(premium_member).status == Subscription.Status.ACTIVE


def test_change_plan_offers_the_active_plans(staff_client, premium_member):
    Plan.objects.filter(slug="recruiter-lite").update(is_active=False)

    response = run_action(staff_client, "change_plan", [live(premium_member)])

    page = text(response)
    assert "<h1>Change plan</h1>" in page
    assert (
        "even if they changed plan this billing month already (members may change once a "
        "month). Their billing month stays: its allowance is topped up to the new plan's, never "
        "granted twice, and credits above the new plan's cap are forfeited." in page
    )
    assert "Sales Navigator Core" in page
    assert "Recruiter Lite" not in page


def test_changing_plan_tops_up_the_months_allowance_at_once(
    staff_client, staff, premium_member, clock
):
    clock.shift(60)

    response = run_action(
        staff_client, "change_plan", [live(premium_member)], plan=plan("premium-pro").pk
    )

    sub = live(premium_member)
    assert "Moved 1 member to Premium Pro." in shown_messages(response)
    assert sub.plan.slug == "premium-pro"
    assert services.credits_balance(member=premium_member) == 15
    grant = LedgerEntry.objects.filter(member=premium_member).first()
    assert (grant.reason, grant.amount, grant.actor) == ("grant", 10, staff)
    assert not LedgerEntry.objects.filter(member=premium_member, reason="forfeit").exists()


def test_staff_may_change_a_plan_the_member_already_changed_this_month(
    staff_client, staff, premium_member
):
    services.subscription_change(member=premium_member, plan=plan("premium-pro"))
    changed = live(premium_member)

    response = run_action(
        staff_client, "change_plan", [changed], plan=plan("sales-navigator-core").pk
    )

    assert "Moved 1 member to Sales Navigator Core." in shown_messages(response)
    sub = live(premium_member)
    assert sub.plan.slug == "sales-navigator-core"
    # Topped up to the month's largest allowance, not granted again: 5 + 10 + 35.
    assert services.credits_balance(member=premium_member) == 50
    grant = LedgerEntry.objects.filter(member=premium_member).first()
    assert (grant.amount, grant.actor) == (35, staff)
    logged = LogEntry.objects.get(object_id=str(changed.pk))
    assert (logged.user, logged.get_change_message()) == (
        staff,
        "Changed plan to Sales Navigator Core.",
    )


def test_changing_to_the_same_plan_is_reported_and_changes_nothing(staff_client, premium_member):
    before = ledger_rows()

    response = run_action(
        staff_client,
        "change_plan",
        [live(premium_member)],
        plan=plan("premium-essentials").pk,
    )

    assert shown_messages(response) == ["Ada Lovelace: You're already on Premium Essentials."]
    assert ledger_rows() == before


# --- the ledger and the lots are view-only ---------------------------------------------------


@pytest.mark.parametrize("model", [LedgerEntry, CreditGrant])
def test_the_ledger_and_the_lots_cannot_be_added_changed_or_deleted(
    staff_client, premium_member, model
):
    row = model.objects.get(member=premium_member)
    name = f"admin:premium_{model._meta.model_name}"

    listing = staff_client.get(reverse(f"{name}_changelist"))
    add = staff_client.get(reverse(f"{name}_add"))
    view = staff_client.get(reverse(f"{name}_change", args=[row.pk]))
    change = staff_client.post(reverse(f"{name}_change", args=[row.pk]), {"amount": "50"})
    delete = staff_client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"})
    bulk_delete = staff_client.post(
        reverse(f"{name}_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )

    assert listing.status_code == 200
    assert listing.context["action_form"] is None
    assert "delete_selected" not in text(listing)
    assert reverse(f"{name}_add") not in text(listing)
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert view.status_code == 200
    assert bulk_delete.status_code in (200, 302)
    assert model.objects.get(pk=row.pk).amount == 5


def test_the_ledger_lists_entries_with_reason_and_actor(staff_client, staff, premium_member):
    services.credits_adjust(member=premium_member, amount=-1, reason="Test send", actor=staff)

    response = staff_client.get(LEDGER, {"reason__exact": "adjustment"})

    page = text(response)
    assert [entry.note for entry in response.context["cl"].result_list] == ["Test send"]
    assert '<td class="field-signed_amount">-1</td>' in page
    assert '<td class="field-actor nowrap">Sam Staff</td>' in page


def test_the_ledger_is_searched_by_member(staff_client, premium_member, other, clock):
    subscribe(other)

    response = staff_client.get(LEDGER, {"q": "grace@"})

    assert {entry.member for entry in response.context["cl"].result_list} == {other}


def test_a_subscriptions_page_links_to_the_members_full_history(
    staff_client, staff, premium_member
):
    for n in range(12):
        services.credits_adjust(
            member=premium_member, amount=1 if n % 2 else -1, reason=f"n{n}", actor=staff
        )
    sub_page = staff_client.get(
        reverse("admin:premium_subscription_change", args=[live(premium_member).pk])
    )
    link = f"{LEDGER}?member__id__exact={premium_member.pk}"

    history = staff_client.get(link)

    assert f'<a href="{link}">Full history</a>' in text(sub_page)
    assert history.context["cl"].result_count == 13


# --- members ---------------------------------------------------------------------------------


def test_member_list_shows_plan_and_credits(staff_client, premium_member, other):
    response = staff_client.get(MEMBERS, {"q": "example.com"})

    rows = {m.email: (m.plan_name, m.credit_balance) for m in response.context["cl"].result_list}
    assert rows["ada@example.com"] == ("Premium Essentials", 5)
    assert rows["grace@example.com"] == (None, 0)
    page = text(response)
    assert '<td class="field-plan">Premium Essentials</td>' in page
    assert '<td class="field-credits">5</td>' in page
    assert '<td class="field-connection_count">0</td>' in page


def test_members_filter_by_plan_or_no_plan(staff_client, staff, premium_member, other):
    on_essentials = staff_client.get(MEMBERS, {"plan": "premium-essentials"})
    free = staff_client.get(MEMBERS, {"plan": "free"})

    assert list(on_essentials.context["cl"].result_list) == [premium_member]
    assert set(free.context["cl"].result_list) == {staff, other}


def test_members_sort_by_credits(staff_client, premium_member, other, clock):
    subscribe(other, "premium-pro")

    response = staff_client.get(MEMBERS, {"o": "-5"})  # the Credits column, descending

    assert [m.email for m in response.context["cl"].result_list][:2] == [
        "grace@example.com",
        "ada@example.com",
    ]


def test_deleting_a_member_deletes_their_premium_history_with_them(staff_client, premium_member):
    url = reverse("admin:accounts_member_delete", args=[premium_member.pk])

    page = staff_client.get(url)
    response = staff_client.post(url, {"post": "yes"})

    assert "Are you sure you want to delete the member “Ada Lovelace”?" in text(page)
    assert "Ledger entries: 1" in text(page)
    assert response.status_code == 302
    assert not LedgerEntry.objects.filter(member_id=premium_member.pk).exists()
    assert not Subscription.objects.filter(member_id=premium_member.pk).exists()


# --- query counts ----------------------------------------------------------------------------


def grow(size, staff):
    """`size` subscribed members across the plans: some cancelled, adjusted or moved on."""
    slugs = ["premium-essentials", "premium-pro", "recruiter-lite"]
    members = MemberFactory.create_batch(size)
    for n, member in enumerate(members):
        subscribe(member, slugs[n % 3])
        if n % 4 == 1:
            services.subscription_cancel(member=member)
        if n % 4 == 2:
            services.credits_adjust(member=member, amount=-1, reason="Spent", actor=staff)
        if n % 5 == 3:
            services.subscription_change(member=member, plan=plan("sales-navigator-core"))
    return members


@pytest.mark.parametrize("page", CHANGELISTS)
def test_list_query_count_does_not_grow_with_the_data(staff_client, staff, clock, page):
    grow(3, staff)
    small = queries_for(staff_client, CHANGELISTS[page])
    grow(27, staff)
    large = queries_for(staff_client, CHANGELISTS[page])

    assert small == large
    assert large <= 12


def test_action_pages_query_count_does_not_grow_with_the_selection(staff_client, staff, clock):
    def form_queries(size):
        grow(size, staff)
        selected = list(Subscription.objects.live())
        with CaptureQueriesContext(connection) as context:
            response = run_action(staff_client, "adjust_credits", selected)
        assert response.status_code == 200
        return len(context)

    assert form_queries(3) == form_queries(27)
