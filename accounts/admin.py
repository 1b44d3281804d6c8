from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Block, Connection, Invitation, Member
from accounts.slugs import unique_slug


class LowercaseEmailMixin:
    # Emails are stored lowercased (a database constraint); accept any case from staff.
    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MemberCreationForm(LowercaseEmailMixin, AdminUserCreationForm):
    class Meta:
        model = Member
        fields = ["email", "first_name", "last_name"]

    def save(self, commit=True):
        member = super().save(commit=False)
        member.slug = unique_slug(member.first_name, member.last_name)
        if commit:
            member.save()
        return member


class MemberChangeForm(LowercaseEmailMixin, UserChangeForm):
    class Meta:
        model = Member
        fields = "__all__"


@admin.register(Member)
class MemberAdmin(UserAdmin):
    add_form = MemberCreationForm
    form = MemberChangeForm
    ordering = ["last_name", "first_name", "id"]
    list_display = ["email", "full_name", "headline", "connection_count", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "accept_inmail"]
    search_fields = ["first_name", "last_name", "email"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {"fields": ["first_name", "last_name", "slug", "headline", "location", "about"]},
        ),
        ("Settings", {"fields": ["accept_inmail"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "password1", "password2"],
            },
        )
    ]

    def get_queryset(self, request):
        # A correlated count: computed for the rows of the page only, no query per row.
        connections = (
            Connection.objects.filter(member=OuterRef("pk"))
            .order_by()
            .values("member")
            .annotate(n=Count("*"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                connection_total=Coalesce(Subquery(connections, output_field=IntegerField()), 0)
            )
        )

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description="Connections", ordering="connection_total")
    def connection_count(self, obj):
        return obj.connection_total


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["sender", "recipient", "status", "created_at", "responded_at"]
    list_filter = ["status"]
    list_select_related = ["sender", "recipient"]
    search_fields = [
        "sender__email",
        "recipient__email",
        "sender__last_name",
        "recipient__last_name",
    ]
    raw_id_fields = ["sender", "recipient"]
    date_hierarchy = "created_at"


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    list_select_related = ["blocker", "blocked"]
    search_fields = ["blocker__email", "blocked__email"]
    raw_id_fields = ["blocker", "blocked"]
