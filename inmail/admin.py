"""Conversations for staff, read-only: to look into a spam report, not to edit what was written."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Subquery

from core.admin import ViewOnlyAdmin
from inmail.models import Conversation, Message, Participant


def _reports():
    return Participant.objects.filter(conversation=OuterRef("pk"), folder=Participant.Folder.SPAM)


class ReportedFilter(admin.SimpleListFilter):
    title = "spam reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Reported as spam"), ("no", "Not reported")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(reported=True)
        if self.value() == "no":
            return queryset.filter(reported=False)
        return queryset


class SpamReasonFilter(admin.SimpleListFilter):
    title = "spam reason"
    parameter_name = "spam_reason"

    def lookups(self, request, model_admin):
        return [choice for choice in Participant.SpamReason.choices if choice[0]]

    def queryset(self, request, queryset):
        if self.value() in Participant.SpamReason.values:
            return queryset.filter(Exists(_reports().filter(spam_reason=self.value())))
        return queryset


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["created_at", "author", "kind", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(ViewOnlyAdmin):
    list_display = [
        "created_at",
        "starter",
        "recipient",
        "kind",
        "subject",
        "response",
        "credit_spent",
        "reported",
        "spam_reason",
    ]
    list_filter = [ReportedFilter, SpamReasonFilter, "kind", "response"]
    list_select_related = ["starter", "recipient"]
    search_fields = [
        "subject",
        "starter__email",
        "starter__first_name",
        "starter__last_name",
        "recipient__email",
        "recipient__first_name",
        "recipient__last_name",
    ]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    exclude = ["last_message"]
    inlines = [MessageInline]

    def get_queryset(self, request):
        # The reason of a member who reported it (when both did, the same one every time).
        return (
            super()
            .get_queryset(request)
            .annotate(
                reported=Exists(_reports()),
                reason=Subquery(
                    _reports().exclude(spam_reason="").order_by("pk").values("spam_reason")[:1]
                ),
            )
        )

    @admin.display(description="Reported as spam", boolean=True, ordering="reported")
    def reported(self, obj):
        return obj.reported

    @admin.display(description="Spam reason", ordering="reason")
    def spam_reason(self, obj):
        return Participant.SpamReason(obj.reason).label if obj.reason else "—"
