"""Tier management for staff: plans, subscriptions, credit adjustments and the ledger.

Subscriptions and balances change only through `premium.services`, so no admin page edits a
subscription, a lot or a ledger entry directly: the subscription admin's add page and actions call
the services with the staff member as the actor, and the ledger is view-only for everyone.
Every list annotates what its columns need, so a page costs the same queries at any size.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from accounts.admin import MemberAdmin
from accounts.models import Member
from core.admin import ViewOnlyAdmin
from core.errors import DomainError
from premium import selectors, services, settlement
from premium.models import (
    DEFAULT_CAP_MONTHS,
    LEDGER_NOTE_MAX_LENGTH,
    CreditGrant,
    LedgerEntry,
    Plan,
    Subscription,
)

# The actions that change a subscription run from the list and from a subscription's own page.
BOTH_PAGES = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
# How many of a member's lots and ledger entries a subscription's page shows.
RECENT_ROWS = 10


def credits_text(count: int) -> str:
    return ngettext("%(count)d credit", "%(count)d credits", count) % {"count": count}


def members_text(count: int) -> str:
    return ngettext("%(count)d member", "%(count)d members", count) % {"count": count}


# Plans


class PlanForm(forms.ModelForm):
    """The plan's check constraints as messages staff can act on, on the field at fault."""

    class Meta:
        model = Plan
        fields = [
            "name",
            "slug",
            "tagline",
            "monthly_price",
            "monthly_credits",
            "balance_cap",
            "is_active",
            "order",
        ]

    def clean(self):
        cleaned = super().clean()
        price = cleaned.get("monthly_price")
        credits = cleaned.get("monthly_credits")
        cap = cleaned.get("balance_cap")
        if price is not None and price < 0:
            self.add_error("monthly_price", "The price cannot be negative.")
        if credits == 0:
            self.add_error("monthly_credits", "A plan grants at least one credit a month.")
        elif credits and cap is not None and cap < credits:
            self.add_error(
                "balance_cap",
                f"The cap must hold at least one month's credits ({credits}). "
                f"Leave it blank for {credits * DEFAULT_CAP_MONTHS}.",
            )
        return cleaned


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = [
        "name",
        "monthly_price",
        "monthly_credits",
        "balance_cap",
        "is_active",
        "order",
        "subscriber_count",
    ]
    list_display_links = ["name"]
    list_editable = ["monthly_price", "monthly_credits", "balance_cap", "is_active", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return selectors.plans_with_subscriber_counts(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        if change and {"monthly_credits", "balance_cap"} & set(form.changed_data):
            # Allowances already due are granted under the values they fell due under, even
            # for members nobody has settled since: the change applies from the next one.
            settlement.settle_due(plan=obj)
        super().save_model(request, obj, form, change)

    def get_changelist_form(self, request, **kwargs):
        # The list's inline edits get the same clear messages as the plan's own page.
        return super().get_changelist_form(request, form=PlanForm, **kwargs)

    def get_deleted_objects(self, objs, request):
        # A plan with subscriptions cannot be deleted whatever the permissions: say which
        # subscriptions hold it, not that nobody may delete subscriptions (which is also true).
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        return to_delete, model_count, set() if protected else perms_needed, protected

    @admin.display(description="Subscribers", ordering="subscriber_count")
    def subscriber_count(self, obj):
        return obj.subscriber_count


# Subscriptions


class SubscriptionStartForm(forms.ModelForm):
    """Member and plan for a new subscription. The service's own refusal is the form's error;
    `SubscriptionAdmin.save_model` starts the subscription through the service."""

    # Declared, so that it is a plain choice of the plans offered, without the admin's links
    # to add or edit a plan; the member is the admin's own searchable field.
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        help_text="The plan's first month of credits is granted at once.",
    )

    class Meta:
        model = Subscription
        fields = ["member", "plan"]
        help_texts = {"member": "A member without a live plan."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = selectors.plans_offered()

    def clean(self):
        cleaned = super().clean()
        member, plan = cleaned.get("member"), cleaned.get("plan")
        if member is not None and plan is not None:
            status = services.premium_status(member=member)
            if (refusal := services.start_refusal(status=status, plan=plan)) is not None:
                raise forms.ValidationError(f"{member}: {refusal.message}")
        return cleaned


class AdjustCreditsForm(forms.Form):
    amount = forms.IntegerField(
        help_text="Credits to add, or a negative number to remove. Added credits expire in "
        "90 days like any grant; a balance never passes its plan's cap or goes below zero."
    )
    reason = forms.CharField(
        max_length=LEDGER_NOTE_MAX_LENGTH,
        help_text="The member sees it in their credit history.",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("Enter a number of credits other than zero.")
        return amount


class ChangePlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        empty_label=None,
        help_text="A new billing month starts at once with this plan's allowance; the unused "
        "credits of the old plan are forfeited.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = selectors.plans_offered()


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "member",
        "member_email",
        "plan",
        "status",
        "started_at",
        "next_allowance_or_end",
        "credits",
    ]
    list_filter = ["plan", "status"]
    list_select_related = ["member", "plan"]
    search_fields = ["member__email", "member__first_name", "member__last_name"]
    autocomplete_fields = ["member"]
    actions = ["cancel_subscriptions", "adjust_credits", "change_plan"]
    readonly_fields = ["member_balance", "member_lots", "member_history"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "member",
                    "plan",
                    "status",
                    "started_at",
                    "billing_month",
                    "period_start",
                    "period_end",
                    "cancelled_at",
                    "ended_at",
                    "end_reason",
                ]
            },
        ),
        ("The member's credits", {"fields": ["member_balance", "member_lots", "member_history"]}),
    ]
    add_fieldsets = [(None, {"fields": ["member", "plan"]})]
    action_form_template = "admin/premium/subscription/action_form.html"

    def get_queryset(self, request):
        return selectors.subscriptions_with_balance(super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def has_change_permission(self, request, obj=None):
        # A subscription changes only through the actions, which call the services, so its
        # page is read-only; the permission still decides who may run the actions.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    # The list

    @admin.display(description="Email", ordering="member__email")
    def member_email(self, obj):
        return obj.member.email

    @admin.display(description="Next allowance / ends", ordering="period_end")
    def next_allowance_or_end(self, obj):
        return None if obj.status == Subscription.Status.ENDED else obj.period_end

    @admin.display(description="Credits", ordering="credit_balance")
    def credits(self, obj):
        # An ended subscription's member may have another plan by now: not this row's credits.
        return None if obj.status == Subscription.Status.ENDED else obj.credit_balance

    # The subscription's page

    @admin.display(description="Balance")
    def member_balance(self, obj):
        return format_html(
            "{} <span class='help'>(unexpired credits left, as of the last settlement)</span>",
            credits_text(obj.credit_balance),
        )

    @admin.display(description="Credit lots")
    def member_lots(self, obj):
        lots = list(
            CreditGrant.objects.filter(member_id=obj.member_id).order_by("-granted_at", "-id")[
                : RECENT_ROWS + 1
            ]
        )
        if not lots:
            return "No credits granted yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    lot.get_kind_display(),
                    lot.amount,
                    lot.remaining,
                    services.display_date(lot.granted_at),
                    services.display_date(lot.expires_at),
                )
                for lot in lots[:RECENT_ROWS]
            ),
        )
        return format_html(
            "<table><thead><tr><th>Kind</th><th>Granted</th><th>Left</th><th>Granted on</th>"
            "<th>Expires on</th></tr></thead><tbody>{}</tbody></table>{}",
            rows,
            _all_link("admin:premium_creditgrant_changelist", obj.member_id, "All lots", len(lots)),
        )

    @admin.display(description="Credit history")
    def member_history(self, obj):
        entries = list(selectors.credit_history(member=obj.member)[: RECENT_ROWS + 1])
        if not entries:
            return "No changes yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    services.display_date(entry.created_at),
                    entry.get_reason_display(),
                    f"{entry.amount:+d}",
                    entry.balance_after,
                    entry.note,
                    entry.actor or "",
                )
                for entry in entries[:RECENT_ROWS]
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Change</th><th>Amount</th><th>Balance</th>"
            "<th>Reason</th><th>By</th></tr></thead><tbody>{}</tbody></table>{}",
            rows,
            _all_link(
                "admin:premium_ledgerentry_changelist", obj.member_id, "Full history", len(entries)
            ),
        )

    # Adding: the service starts the subscription

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SubscriptionStartForm
        return super().get_form(request, obj, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        context = {
            "title": "Start a subscription",
            # The page that follows is read-only: there is nothing to continue editing.
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        try:
            return super().add_view(request, form_url, context)
        except DomainError as error:
            # The member started a plan between the form's check and the save (the service
            # checks again under the member's lock): nothing was written.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        # Only ever an addition: a subscription's own page is read-only.
        status = services.subscription_start(member=obj.member, plan=obj.plan, actor=request.user)
        obj.pk = status.subscription.pk
        obj.refresh_from_db()

    # Actions: each member's refusal is reported with the service's message; the others proceed

    @admin.action(
        description="Cancel at the end of the billing month",
        permissions=["change"],
        location=BOTH_PAGES,
    )
    def cancel_subscriptions(self, request, queryset):
        cancelled = 0
        for sub in self._live(request, queryset):
            try:
                services.subscription_cancel(member=sub.member)
            except DomainError as error:
                self.message_user(request, f"{sub.member}: {error.message}", messages.ERROR)
            else:
                cancelled += 1
                self.log_change(request, sub, "Cancelled at the end of the billing month.")
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "Cancelled %(count)d subscription; each runs to the end of its billing month.",
                    "Cancelled %(count)d subscriptions; each runs to the end of its billing month.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )

    @admin.action(description="Adjust credits…", permissions=["change"], location=BOTH_PAGES)
    def adjust_credits(self, request, queryset):
        form = AdjustCreditsForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_form_page(
                request,
                queryset,
                form,
                action="adjust_credits",
                title="Adjust credits",
                intro="The credits of each selected subscription's member change by the amount, "
                "with the reason in their credit history.",
                submit="Adjust credits",
            )
        amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
        members = {sub.member_id: sub.member for sub in queryset}
        adjusted = 0
        for member in members.values():
            try:
                services.credits_adjust(
                    member=member, amount=amount, reason=reason, actor=request.user
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                adjusted += 1
        if adjusted:
            if amount > 0:
                done = f"Added {credits_text(amount)} to"
            else:
                done = f"Removed {credits_text(-amount)} from"
            self.message_user(
                request, f"{done} {members_text(adjusted)}: {reason}", messages.SUCCESS
            )

    @admin.action(description="Change plan…", permissions=["change"], location=BOTH_PAGES)
    def change_plan(self, request, queryset):
        form = ChangePlanForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_form_page(
                request,
                queryset,
                form,
                action="change_plan",
                title="Change plan",
                intro="Each selected member moves to the plan at once, even if they changed "
                "plan this billing month already (members may change once a month). Their "
                "billing month stays: its allowance is topped up to the new plan's, never "
                "granted twice, and credits above the new plan's cap are forfeited.",
                submit="Change plan",
            )
        plan = form.cleaned_data["plan"]
        changed = 0
        for sub in self._live(request, queryset):
            try:
                services.subscription_change(
                    member=sub.member, plan=plan, actor=request.user, override=True
                )
            except DomainError as error:
                self.message_user(request, f"{sub.member}: {error.message}", messages.ERROR)
            else:
                changed += 1
                self.log_change(request, sub, f"Changed plan to {plan.name}.")
        if changed:
            self.message_user(
                request, f"Moved {members_text(changed)} to {plan.name}.", messages.SUCCESS
            )

    def _live(self, request, queryset):
        """The selected subscriptions that have not ended; the ended ones are reported."""
        for sub in queryset:
            if sub.status == Subscription.Status.ENDED:
                self.message_user(
                    request,
                    f"{sub.member}: that {sub.plan.name} subscription has already ended.",
                    messages.ERROR,
                )
            else:
                yield sub

    def _action_form_page(self, request, queryset, form, *, action, title, intro, submit):
        """The intermediate page of an action: its form posts back to the page it came from."""
        # On a subscription's own page the action's field carries the location as a prefix.
        on_change_form = f"{admin.ActionLocation.CHANGE_FORM.value}-action"
        action_field = on_change_form if on_change_form in request.POST else "action"
        fieldsets = [(None, {"fields": list(form.fields)})]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit,
            "opts": self.opts,
            "adminform": helpers.AdminForm(form, fieldsets, {}, model_admin=self),
            "form": form,
            "subscriptions": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_field": action_field,
            "action": action,
            "back_url": request.get_full_path(),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.action_form_template, context)


# The ledger and the lots: view-only for everyone, superusers included


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ViewOnlyAdmin):
    list_display = [
        "created_at",
        "member",
        "reason",
        "signed_amount",
        "balance_after",
        "note",
        "actor",
    ]
    list_filter = ["reason"]
    list_select_related = ["member", "actor"]
    search_fields = ["member__email", "member__first_name", "member__last_name"]
    date_hierarchy = "created_at"

    @admin.display(description="Amount", ordering="amount")
    def signed_amount(self, obj):
        return f"{obj.amount:+d}"


@admin.register(CreditGrant)
class CreditGrantAdmin(ViewOnlyAdmin):
    list_display = [
        "granted_at",
        "member",
        "kind",
        "plan",
        "amount",
        "remaining",
        "expires_at",
    ]
    list_filter = ["kind"]
    list_select_related = ["member", "subscription__plan"]
    ordering = ["-granted_at", "-id"]
    search_fields = ["member__email", "member__first_name", "member__last_name"]
    date_hierarchy = "granted_at"

    @admin.display(description="Plan", ordering="subscription__plan__name")
    def plan(self, obj):
        return obj.subscription.plan if obj.subscription else None


# Members: the accounts admin, with each member's plan and balance


class PlanListFilter(admin.SimpleListFilter):
    title = "Premium plan"
    parameter_name = "plan"
    FREE = "free"

    def lookups(self, request, model_admin):
        return [
            (self.FREE, "No plan"),
            *Plan.objects.order_by("order", "id").values_list("slug", "name"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        live = Subscription.objects.live().filter(member=OuterRef("pk"))
        if value == self.FREE:
            return queryset.exclude(Exists(live))
        return queryset.filter(Exists(live.filter(plan__slug=value)))


admin.site.unregister(Member)


@admin.register(Member)
class PremiumMemberAdmin(MemberAdmin):
    list_display = [
        *MemberAdmin.list_display[: MemberAdmin.list_display.index("connection_count")],
        "plan",
        "credits",
        *MemberAdmin.list_display[MemberAdmin.list_display.index("connection_count") :],
    ]
    list_filter = [PlanListFilter, *MemberAdmin.list_filter]

    def get_queryset(self, request):
        return selectors.with_plan_and_balance(super().get_queryset(request))

    def get_deleted_objects(self, objs, request):
        # Nobody may delete subscriptions, lots or ledger entries one by one, but deleting a
        # member deletes their Premium history with them (the models cascade), as it always has.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        history = {model._meta.verbose_name for model in (Subscription, CreditGrant, LedgerEntry)}
        return to_delete, model_count, perms_needed - history, protected

    @admin.display(description="Plan", ordering="plan_name")
    def plan(self, obj):
        return obj.plan_name

    @admin.display(description="Credits", ordering="credit_balance")
    def credits(self, obj):
        return obj.credit_balance


def _all_link(url_name, member_id, label, count):
    if count <= RECENT_ROWS:
        return ""
    return format_html(
        '<p><a href="{}?member__id__exact={}">{}</a></p>', reverse(url_name), member_id, label
    )
