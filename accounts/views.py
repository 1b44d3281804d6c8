from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    EmailAuthenticationForm,
    InvitationForm,
    PasswordResetForm,
    ProfileForm,
    SettingsForm,
    SignupForm,
)
from core.errors import DomainError, NotFound
from core.http import action_error, fragment_status, refused, render_page, status_for
from core.limits import client_ip, limit, signin_email
from core.queries import FirstPage


def home(request):
    if not request.user.is_authenticated:
        return render(request, "accounts/landing.html")
    viewer = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "people": selectors.suggestions(viewer=viewer, limit=6),
            "inviters": selectors.first_of("members_who_invited", member=viewer, limit=3),
            "connection_count": selectors.connection_count(member=viewer),
        },
    )


def _posted(request):
    # Not `request.POST or None`: an empty POST (an unticked checkbox) is still a submission.
    return request.POST if request.method == "POST" else None


class InvalidFormIsBadRequest:
    """Django's account views answer a refused form with 200; ours say 400, like every form."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class SignInView(InvalidFormIsBadRequest, auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def signin_locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying why it refuses, with a 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": EmailAuthenticationForm(request, initial={"username": signin_email(request, None)}),
        "locked_out": (
            f"Too many failed sign-ins for this account or from your network. For your "
            f"security, sign-in is locked for {minutes} minutes after "
            f"{settings.AXES_FAILURE_LIMIT} failed attempts. Try again later, or reset your "
            f"password."
        ),
        "next": request.POST.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class PasswordChangeView(InvalidFormIsBadRequest, auth_views.PasswordChangeView):
    pass


class PasswordResetView(InvalidFormIsBadRequest, auth_views.PasswordResetView):
    form_class = PasswordResetForm

    def form_valid(self, form):
        # Counted whether or not the address has an account, so the limit tells nothing.
        limit(self.request, "password_reset_ip", key=client_ip(self.request))
        limit(self.request, "password_reset_email", key=form.cleaned_data["email"].lower())
        return super().form_valid(form)


class PasswordResetConfirmView(InvalidFormIsBadRequest, auth_views.PasswordResetConfirmView):
    pass


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        limit(request, "signup", key=client_ip(request))
    form = SignupForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_signup(**form.cleaned_data)
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            login(request, member, backend="accounts.backends.MemberBackend")
            messages.success(request, f"Welcome to InMail, {member.first_name}!")
            return redirect("home")
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def profile(request, slug):
    member = selectors.member_for_viewer(viewer=request.user, slug=slug)
    if member is None:
        raise Http404("No Member matches the given query.")
    mutual = []
    if member.degree == selectors.SECOND:
        mutual = selectors.first_mutual_connections(viewer=request.user, member=member)
    context = {
        "member": member,
        "mutual": mutual,
        "mutual_others": member.mutual_count - len(mutual),
    }
    return render(request, "accounts/profile.html", context)


@login_required
def me(request):
    return redirect(request.user)


@login_required
def profile_edit(request):
    form = ProfileForm(_posted(request), instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.member_update_profile(member=request.user, **form.cleaned_data)
            messages.success(request, "Your profile was saved.")
            return redirect(request.user)
        request.user.refresh_from_db()
    return render(
        request, "accounts/profile_edit.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def settings_view(request):
    form = SettingsForm(_posted(request), instance=request.user)
    saved = request.method == "POST" and form.is_valid()
    if saved:
        services.member_update_settings(member=request.user, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, "Your settings were saved.")
            return redirect("accounts:settings")
    # htmx swaps the form alone, and says "saved" in the status line above it.
    return render_page(
        request,
        "accounts/settings.html",
        {"form": form, "saved": saved, "blocked": selectors.blocked_members(member=request.user)},
        fragment="messaging_form",
        status=400 if form.errors else 200,
    )


INVITATIONS_SHOWN = 3  # on My Network; "Show all" pages through the rest
INVITATION_LISTS = {
    "received": ("Invitations", selectors.members_who_invited),
    "sent": ("Sent invitations", selectors.members_invited),
}


@login_required
def my_network(request):
    """A few invitations each way with "Show all", and a page of connections.

    Like LinkedIn, the lists of invitations are paged: a member with hundreds of pending
    invitations gets the same page weight, and the same queries, as one with three.
    """
    member = request.user
    shown = request.GET.get("show")
    if shown in INVITATION_LISTS:
        title, invitations = INVITATION_LISTS[shown]
        page = Paginator(invitations(member=member), selectors.PAGE_SIZE)
        return render(
            request,
            "accounts/invitations.html",
            {"title": title, "shown": shown, "page": page.get_page(request.GET.get("page"))},
        )
    # One more than shown each way: whether to link to all of them.
    inviters, invitees = selectors.first_invitations(member=member, limit=INVITATIONS_SHOWN + 1)
    # The first page from a query compiled once (every visit to My Network shows it), with
    # the count of every connection in its rows; another page is counted apart.
    page_asked = request.GET.get("page")
    connections = FirstPage(
        lambda: selectors.member_connections(member=member),
        lambda: selectors.first_of("member_connections", member=member, limit=selectors.PAGE_SIZE),
        size=selectors.PAGE_SIZE,
        page=page_asked,
        total="connection_count",
        count=lambda: selectors.connection_count(member=member),
    )
    return render(
        request,
        "accounts/my_network.html",
        {
            "inviters": inviters[:INVITATIONS_SHOWN],
            "more_inviters": len(inviters) > INVITATIONS_SHOWN,
            "invitees": invitees[:INVITATIONS_SHOWN],
            "more_invitees": len(invitees) > INVITATIONS_SHOWN,
            "page": Paginator(connections, selectors.PAGE_SIZE).get_page(page_asked),
        },
    )


class CountedPaginator(Paginator):
    """A paginator told its count, rather than counting every row itself."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached_property's value


# The degree chips above the results: (the `degree` parameter, its label). Any other value
# of the parameter shows everyone, as "All" does.
DEGREE_CHIPS = [(None, "All"), ("1", "1st"), ("2", "2nd"), ("3", "3rd+")]
DEGREES = {"1": selectors.FIRST, "2": selectors.SECOND, "3": selectors.THIRD_PLUS}


@login_required
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    chip = request.GET.get("degree") if request.GET.get("degree") in DEGREES else None
    page = count = None
    if query:
        degree = DEGREES.get(chip)
        count = selectors.member_search_count(viewer=request.user, query=query, degree=degree)
        # The first page from a query compiled once (selectors.member_search_first_page).
        results = FirstPage(
            lambda: selectors.member_search(viewer=request.user, query=query, degree=degree),
            lambda: selectors.member_search_first_page(
                viewer=request.user, query=query, degree=degree
            ),
        )
        paginator = CountedPaginator(results, selectors.PAGE_SIZE, count=count.pages)
        page = paginator.get_page(request.GET.get("page"))
    # The search box and the chips swap the results alone.
    return render_page(
        request,
        "accounts/search.html",
        {"query": query, "page": page, "count": count, "chips": DEGREE_CHIPS, "chip": chip},
        fragment="results",
    )


MEMBER_ACTIONS = "components/members.html#member_actions"

# Actions on another member. Each works as a plain form post (redirect back with a message)
# and as an htmx post (the member's action buttons, swapped in place).


def _visible_member(request, slug):
    return get_object_or_404(selectors.visible_members(request.user), slug=slug)


def _back(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _respond(request, *, member_pk, fallback, success=None, error=None, status=200):
    """The updated buttons for htmx, a redirect with a message otherwise; `error` is 4xx."""
    if request.htmx:
        member = selectors.members_for_viewer(viewer=request.user).filter(pk=member_pk).first()
        if member is None:
            raise Http404
        back_url = request.htmx.current_url_abs_path
        context = {
            "m": member,
            "notice": success,
            "error": error,
            # Buttons in the fragment post back to the page they sit on, not to this URL,
            # and on the member's profile keep the profile's row (Message's badge, More).
            "back_url": back_url,
            "on_profile": (back_url or "").split("?")[0] == member.get_absolute_url(),
        }
        return render(request, MEMBER_ACTIONS, context, status=fragment_status(request, status))
    if error:
        return action_error(request, error, back=fallback, status=status)
    messages.success(request, success)
    return _back(request, fallback)


@login_required
@require_POST
def connect(request, slug):
    recipient = _visible_member(request, slug)
    respond = partial(
        _respond, request, member_pk=recipient.pk, fallback=recipient.get_absolute_url()
    )
    limit(request, "invitation", key=str(request.user.pk))
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return respond(error=form.errors["note"][0], status=400)
    try:
        invitation = services.invitation_send(
            sender=request.user, recipient=recipient, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        return respond(error=error.message, status=status_for(error))
    return respond(
        success=f"You're now connected with {recipient.full_name}."
        if invitation.status == invitation.Status.ACCEPTED
        else f"Invitation sent to {recipient.full_name}."
    )


def _invitation_action(request, invitation_id, service, success):
    invitation = get_object_or_404(
        selectors.invitations_involving(member=request.user), pk=invitation_id
    )
    other = invitation.other_side(request.user)
    fallback = reverse("accounts:my_network")
    try:
        service(member=request.user, invitation_id=invitation.pk)
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        return _respond(
            request,
            member_pk=other.pk,
            fallback=fallback,
            error=error.message,
            status=status_for(error),
        )
    return _respond(
        request, member_pk=other.pk, fallback=fallback, success=success.format(name=other.full_name)
    )


@login_required
@require_POST
def invitation_accept(request, invitation_id):
    return _invitation_action(
        request,
        invitation_id,
        services.invitation_accept,
        "You're now connected with {name}.",
    )


@login_required
@require_POST
def invitation_ignore(request, invitation_id):
    return _invitation_action(
        request, invitation_id, services.invitation_ignore, "Invitation from {name} ignored."
    )


@login_required
@require_POST
def invitation_withdraw(request, invitation_id):
    return _invitation_action(
        request,
        invitation_id,
        services.invitation_withdraw,
        "Invitation to {name} withdrawn.",
    )


@login_required
@require_POST
def connection_remove(request, slug):
    other = _visible_member(request, slug)
    try:
        services.connection_remove(member=request.user, other=other)
    except DomainError as error:
        return _respond(
            request,
            member_pk=other.pk,
            fallback=other.get_absolute_url(),
            error=error.message,
            status=status_for(error),
        )
    return _respond(
        request,
        member_pk=other.pk,
        fallback=other.get_absolute_url(),
        success=f"{other.full_name} was removed from your connections.",
    )


@login_required
@require_POST
def block(request, slug):
    other = _visible_member(request, slug)
    try:
        services.member_block(blocker=request.user, blocked=other)
    except DomainError as error:
        return refused(request, error, back=other.get_absolute_url())
    messages.success(request, f"You blocked {other.full_name}. You can unblock them in Settings.")
    return _back(request, reverse("home"))


@login_required
@require_POST
def unblock(request, member_id):
    try:
        other = services.member_unblock(blocker=request.user, blocked_id=member_id)
    except NotFound as error:
        raise Http404(error.message) from None
    messages.success(request, f"You unblocked {other.full_name}.")
    return redirect("accounts:settings")
