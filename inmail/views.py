"""Messaging: the inbox's two panes, a thread, the compose window and the unread badge.

Every page is a full page without JavaScript. htmx requests name the pane they replace in
`HX-Target` and get that fragment of the same template: `conversation-list` (a filter),
`load-more` (the next rows), `thread-pane` (a conversation), `messaging` (both panes).
"""

import functools
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseLocation, push_url

from core import sessions
from core.errors import DomainError
from core.http import action_error, render_page, status_for, wants_fragment
from core.limits import limit
from inmail import selectors, services
from inmail.forms import SEARCH_MAX_LENGTH, AnswerForm, MessageForm, SearchForm, SpamReportForm
from inmail.models import Participant

# The fragment of inmail/inbox.html each htmx target gets.
PANES = {
    "conversation-list": "list",
    "load-more": "rows",
    "thread-pane": "thread",
    "messaging": "panes",
}


def _filter_name(request) -> str:
    name = request.GET.get("filter", "all")
    return name if name in selectors.FILTERS else "all"


def _filter_query(filter_name: str, query: str = "") -> str:
    """The query string that keeps a filter (none for All) and a search, for links and
    redirects."""
    kept = {"filter": filter_name if filter_name != "all" else "", "q": query}
    kept = {name: value for name, value in kept.items() if value}
    return f"?{urlencode(kept)}" if kept else ""


def _inbox_url(filter_name: str, conversation_id: int | None = None, query: str = "") -> str:
    path = (
        reverse("inmail:thread", kwargs={"conversation_id": conversation_id})
        if conversation_id
        else reverse("inmail:inbox")
    )
    return path + _filter_query(filter_name, query)


def _filter_context(request) -> dict:
    """The view the member is in: the filter and the search (`term`, when it is valid; not
    `query`, which base.html's people search shows)."""
    filter_name = _filter_name(request)
    search = SearchForm(request.GET)
    return {
        "filter_name": filter_name,
        "search": search,
        "term": search.term,
        "filter_query": _filter_query(filter_name, search.term),
    }


def _render_messaging(request, context, *, status=200):
    """The inbox page, or the pane an htmx request targets."""
    pane = PANES.get(request.htmx.target) if request.htmx else None
    return render_page(
        request, "inmail/inbox.html", context, fragment=pane, status=status, vary=("HX-Target",)
    )


def _inbox_context(request, *, cursor=None, rows=True):
    """The conversation list, with its rows unless `rows` is False (the page then loads them
    itself); raises selectors.BadCursor for a cursor we did not make."""
    context = _filter_context(request)
    filter_name, query = context["filter_name"], context["term"]
    page = (
        selectors.inbox_page(
            member=request.user, filter_name=filter_name, cursor=cursor, query=query
        )
        if rows
        else None
    )
    inbox = reverse("inmail:inbox")
    return {
        **context,
        "page": page,
        "search_max_length": SEARCH_MAX_LENGTH,
        "filters": [
            (name, label, inbox + _filter_query(name, query))
            for name, (label, _q) in selectors.FILTERS.items()
        ],
    }


@login_required
def inbox(request):
    try:
        context = _inbox_context(request, cursor=request.GET.get("cursor"))
    except selectors.BadCursor:
        return action_error(
            request,
            "That page link is broken. Start again from your inbox.",
            back=reverse("inmail:inbox"),
            status=400,
        )
    return _render_messaging(request, context, status=400 if context["search"].error else 200)


def _own_or_404(request, conversation_id) -> Participant:
    participant = selectors.own_conversation(member=request.user, conversation_id=conversation_id)
    if participant is None:
        raise Http404("That conversation doesn't exist.")
    return participant


def _thread_context(request, participant, *, form=None, error=None, row_changed=True):
    # Its messages are read by the template ({% thread_messages %}), only when they are
    # not in the cache.
    other = participant.other
    return {
        "participant": participant,
        "conversation": participant.conversation,
        "other": other,
        "reply": selectors.compose_options(
            sender=request.user,
            recipient=other,
            conversation=participant.conversation,
            blockers=participant.blockers,
        ),
        "reply_fields": _reply_fields(form),
        "spam_reasons": _spam_reasons(get_language()),
        "error": error,
        # Out-of-band updates of the conversation's row and the unread badge, for htmx
        # requests that replace the thread pane alone; not when neither changed (a
        # conversation opened again that was not unread).
        "oob": wants_fragment(request) and request.htmx.target == "thread-pane",
        "row_changed": row_changed,
    }


@functools.cache
def _spam_reasons(language: str) -> str:
    """The spam report's radio buttons, the same on every thread: rendered once per process
    (and language) rather than through the form renderer's templates on every page, each a
    label around its button, without the default widget's wrapping <div>s and blank lines."""
    radios = SpamReportForm(auto_id="spam_%s")["reason"]
    return format_html_join(
        "",
        '<label for="{}">{} {}</label>',
        ((radio.id_for_label, radio.tag(), radio.choice_label) for radio in radios),
    )


def _reply_fields(form: MessageForm | None) -> dict:
    """What a thread's reply fields show (the template writes them as the form's widgets
    would): a new form's token, or a refused form's values and whether its body is in error.
    No form is made for a new one (its fields are deep-copied: 0.1 ms a thread)."""
    if form is None:
        return {"token": uuid.uuid4(), "body": None, "body_invalid": False}
    return {
        "token": form["token"].value(),
        "body": form["body"].value(),
        "body_invalid": bool(form["body"].errors),
    }


def _new_form(prefix, data=None):
    return MessageForm(data, auto_id=f"{prefix}_%s", initial={"token": uuid.uuid4()})


def _thread_page(request, participant, *, status=200, **thread):
    context = _thread_context(request, participant, **thread)
    if context["oob"]:
        context.update(_filter_context(request))
    else:
        # The thread's own page: its list's rows come in a request of their own, when the
        # list is in sight, so that the page costs one pane rather than two.
        context.update(_inbox_context(request, rows=False))
    return _render_messaging(request, context, status=status)


@login_required
def thread(request, conversation_id):
    participant = _own_or_404(request, conversation_id)
    # What the row and the badge show: unread or not (when it was read is not shown).
    was_unread = participant.unread
    if not participant.is_read:
        read = services.conversation_read(member=request.user, conversation_id=conversation_id)
        participant.unread, participant.read_at = read.unread, read.read_at
        # The top bar's unread count, read with the session, was the one before.
        sessions.forget_read_ahead(request.user)
    return _thread_page(request, participant, row_changed=was_unread)


@login_required
@require_POST
def reply(request, conversation_id):
    participant = _own_or_404(request, conversation_id)
    limit(request, "message", key=str(request.user.pk))
    form = _new_form("reply", request.POST)
    if not form.is_valid():
        return _thread_page(request, participant, form=form, error=form.first_error, status=400)
    try:
        services.message_reply(
            member=request.user,
            conversation_id=conversation_id,
            body=form.cleaned_data["body"],
            token=form.cleaned_data["token"],
        )
    except DomainError as error:
        return _thread_page(
            request, participant, form=form, error=error.message, status=status_for(error)
        )
    if not request.htmx:
        return redirect(_inbox_url(_filter_name(request), conversation_id))
    return _thread_page(request, _own_or_404(request, conversation_id))


@login_required
@require_POST
def answer(request, conversation_id):
    participant = _own_or_404(request, conversation_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, participant, error=form.errors["answer"][0], status=400)
    interested = form.cleaned_data["answer"] == "interested"
    try:
        services.inmail_answer(
            member=request.user, conversation_id=conversation_id, interested=interested
        )
    except DomainError as error:
        return _thread_page(request, participant, error=error.message, status=status_for(error))
    other = participant.other.first_name
    notice = (
        f"You told {other} you're interested."
        if interested
        else f"You told {other} you're not interested."
    )
    if not request.htmx:
        messages.success(request, notice)
        return redirect(_inbox_url(_filter_name(request), conversation_id))
    return _thread_page(request, _own_or_404(request, conversation_id))


def _after_move(request, url, notice):
    # With htmx the panes are fetched again from `url`, and show the notice above the list.
    messages.success(request, notice)
    if request.htmx:
        return HttpResponseLocation(url, target="#messaging")
    return redirect(url)


def _move(request, participant, folder, notice, *, open_thread=False, reason=""):
    conversation_id = participant.conversation_id
    services.conversation_move(
        member=request.user, conversation_id=conversation_id, folder=folder, reason=reason
    )
    filter_name = {"archived": "archived", "spam": "spam"}.get(folder, "all")
    url = _inbox_url(filter_name, conversation_id if open_thread else None)
    return _after_move(request, url, notice.format(name=participant.other.full_name))


@login_required
@require_POST
def archive(request, conversation_id):
    """With htmx from the thread pane, archiving stays in the view: the pane empties, the row
    says "Archived · Undo". Without JavaScript, back to the view it was in, with a notice."""
    participant = _own_or_404(request, conversation_id)
    services.conversation_move(
        member=request.user, conversation_id=conversation_id, folder=Participant.Folder.ARCHIVED
    )
    view = _filter_context(request)
    url = _inbox_url(view["filter_name"], query=view["term"])
    if not (request.htmx and request.htmx.target == "thread-pane"):
        return _after_move(
            request, url, f"Your conversation with {participant.other.full_name} was archived."
        )
    response = _render_messaging(request, {**view, "archived": participant})
    return push_url(response, url)


@login_required
@require_POST
def unarchive(request, conversation_id):
    participant = _own_or_404(request, conversation_id)
    if request.htmx and request.htmx.target == f"conversation-{conversation_id}":
        # Undo, from the archived row: the row as it was.
        services.conversation_move(
            member=request.user, conversation_id=conversation_id, folder=Participant.Folder.INBOX
        )
        context = {**_filter_context(request), "p": participant}
        return render_page(request, "inmail/components.html", context, fragment="conversation_row")
    return _move(
        request,
        participant,
        Participant.Folder.INBOX,
        "Your conversation with {name} is back in your inbox.",
        open_thread=True,
    )


@login_required
@require_POST
def report_spam(request, conversation_id):
    participant = _own_or_404(request, conversation_id)
    form = SpamReportForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, participant, error=form.errors["reason"][0], status=400)
    # The thread stays open in Spam, where it offers to block the sender too.
    return _move(
        request,
        participant,
        Participant.Folder.SPAM,
        "Reported as spam: your conversation with {name} was moved to Spam.",
        open_thread=True,
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def mark_unread(request, conversation_id):
    participant = _own_or_404(request, conversation_id)
    services.conversation_mark_unread(member=request.user, conversation_id=conversation_id)
    return _after_move(
        request,
        _inbox_url(_filter_name(request)),
        f"Your conversation with {participant.other.full_name} is marked unread.",
    )


def unread_count(request):
    """The top bar's badge; polled every 30 seconds."""
    # The count in the session's query (and nothing else of the top bar), and of the member
    # only what signing in checks: one query a poll, of a narrow row.
    sessions.read_ahead(request, "unread_messages", sign_in_only=True)
    if not request.user.is_authenticated:
        return HttpResponse(status=204)  # signed out in another tab: leave the badge alone
    # The count alone, and no request context: the badge reads nothing else (the top bar's
    # other counts, in context_processors.topbar, would be a query for nothing).
    unread = selectors.unread_count(member=request.user)
    return HttpResponse(_badge(unread) if not settings.DEBUG else _badge.__wrapped__(unread))


@functools.lru_cache(maxsize=128)
def _badge(unread: int) -> str:
    """The badge for this count, rendered once a process: the poll is the request the site
    answers most. Anew each time under DEBUG, where templates are read anew too."""
    return render_to_string("inmail/components.html#unread_badge", {"unread_messages": unread})


# Compose


@login_required
def new_message(request):
    """The New message picker: the members the viewer may write to whose name matches `q`.

    htmx gets the picker (to open in the dialog) or, for the typing, its results alone.
    """
    search = SearchForm(request.GET)
    candidates = selectors.message_candidates(viewer=request.user, query=search.term)
    context = {
        "search": search,
        "term": search.term,
        "search_max_length": SEARCH_MAX_LENGTH,
        "candidates": candidates[: selectors.PICKER_SIZE],
        "more": len(candidates) > selectors.PICKER_SIZE,
    }
    results = request.htmx and request.htmx.target == "new-message-results"
    return render_page(
        request,
        "inmail/new_message.html",
        context,
        fragment="results" if results else "picker",
        status=400 if search.error else 200,
        vary=("HX-Target",),
    )


def _compose_window(request, compose, form, *, status=200, **extra):
    context = {"compose": compose, "m": compose.recipient, "form": form, **extra}
    return render_page(request, "inmail/compose.html", context, fragment="window", status=status)


@login_required
def compose(request, slug):
    recipient = get_object_or_404(selectors.messageable_members(viewer=request.user), slug=slug)
    options = selectors.compose_options(sender=request.user, recipient=recipient)
    if request.method != "POST":
        return _compose_window(request, options, _new_form("compose"))
    limit(request, "message", key=str(request.user.pk))
    if options.open_profile:
        limit(request, "open_profile", key=str(request.user.pk))
    form = _new_form("compose", request.POST)
    if not form.is_valid():
        return _compose_window(request, options, form, error=form.first_error, status=400)
    try:
        message = services.message_send(
            sender=request.user,
            recipient=recipient,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            token=form.cleaned_data["token"],
        )
    except DomainError as error:
        # Things may have changed since the window opened (the last credit spent in another
        # tab): show the window as it is now, without repeating a refusal its box explains.
        options = selectors.compose_options(sender=request.user, recipient=recipient)
        shown = options.refusal.message if options.refusal else None
        return _compose_window(
            request,
            options,
            form,
            error=None if error.message == shown else error.message,
            status=status_for(error),
        )
    conversation, balance = message.conversation, message.credits_left
    if not request.htmx:
        notice = f"Sent to {recipient.full_name}."
        if balance is not None:
            notice += " " + ngettext(
                "You have %(count)d InMail credit left.",
                "You have %(count)d InMail credits left.",
                balance,
            ) % {"count": balance}
        messages.success(request, notice)
        return redirect(conversation)
    # The window shows what was sent; every credit count on the page follows, out of band.
    sent_inmail = conversation.is_pending and conversation.starter_id == request.user.pk
    return _compose_window(
        request,
        options,
        form,
        sent=message,
        sent_inmail=sent_inmail,
        conversation=conversation,
        balance=balance,
    )
