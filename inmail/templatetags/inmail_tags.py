from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format
from django.utils.translation import get_language

from core import fragments
from inmail import selectors

register = template.Library()


@register.filter
def inbox_time(moment):
    """As LinkedIn's inbox shows it: the time today, the weekday this week, else the date."""
    if moment is None:
        return ""
    local, today = timezone.localtime(moment), timezone.localdate()
    if local.date() == today:
        return format_date(local, "g:i A")
    if today - local.date() < timedelta(days=7):
        return format_date(local, "D")
    if local.year == today.year:
        return format_date(local, "M j")
    return date_format(local)


@register.filter
def is_today(moment):
    """Whether `moment` is today where the page is read (a message's time then says it all)."""
    return timezone.localtime(moment).date() == timezone.localdate()


@register.filter
def seen_time(moment):
    """When a read receipt was read: the time today, else the day (as the inbox) and the time."""
    time = format_date(timezone.localtime(moment), "g:i A")
    return time if is_today(moment) else f"{inbox_time(moment)}, {time}"


@register.simple_tag(takes_context=True)
def compose_for(context, member):
    """How the signed-in member may write to `member` now (inmail.selectors.Compose): what the
    profile's Message button and credit badge say before anything is clicked. `member` is
    the profile's, read through accounts.selectors.members_for_viewer: visible, with badges."""
    return selectors.compose_options(sender=context["request"].user, recipient=member, visible=True)


ROW = "inmail/components.html#conversation_row"
MESSAGES = "inmail/inbox.html#messages"
THREAD_HEAD = "inmail/inbox.html#thread_head"


def _row_key(page: tuple, p, row) -> str:
    """Everything the row shows, and nothing else: a change to any of it is a new key, so a
    stale row cannot be shown (a renamed member, a new message, read or unread, moved)."""
    conversation, last, m = p.conversation, p.conversation.last_message, p.other
    shown = (
        *page,
        p.conversation_id,
        p.unread,
        p.folder,
        p.last_message_at,
        conversation.kind,
        conversation.subject,
        last and (last.pk, last.author_id, last.body),
        (m.pk, m.first_name, m.last_name, getattr(m, "degree", None)),
    )
    return fragments.key("inmail:row", row, shown)


@register.simple_tag(takes_context=True)
def conversation_rows(context, rows):
    """The conversation list's rows, each rendered once and then read from the cache (Redis
    in production, the process's memory in development) under a key made of what it shows:
    a page of 20 rows is one cache read, and renders only the rows that changed."""
    row = fragments.template(context.template.engine, ROW)
    # The page, the same for every row (read once): who reads it, which row is open, the
    # filter its links keep, today (the row's time reads "9:30 AM" today, "Mon" this week,
    # a date after that).
    page = (
        context["user"].pk,
        context.get("current_id"),
        context.get("filter_query"),
        bool(context.get("oob")),
        context.get("row_oob"),
        timezone.localdate(),
    )
    return fragments.render_each(context, row, rows, lambda p: _row_key(page, p, row), "p")


@register.simple_tag(takes_context=True)
def thread_messages(context):
    """A thread's latest messages (inbox.html#messages), with the "Seen" under one of mine:
    one cache read. A message is never edited or deleted, and every new one becomes
    the conversation's last message, so the last message names which messages there are;
    the key has the rest of what they show: whose they are (mine or the other member's, by
    name), today (a time reads "9:30 AM" today, "Mon" this week) and what "Seen" needs (when
    the other member read it, and whether receipts are on for both, and for this thread)."""
    user, participant = context["user"], context["participant"]
    conversation, other = participant.conversation, participant.other
    fragment = fragments.template(context.template.engine, MESSAGES)
    shown = (
        user.pk,
        user.read_receipts,
        timezone.localdate(),
        get_language(),
        conversation.pk,
        conversation.last_message_id,
        conversation.is_pending,
        participant.last_message_at,
        participant.other_read_at,
        (other.pk, other.first_name, other.last_name, other.read_receipts),
    )

    def render(context):
        thread = selectors.thread_messages(member=user, participant=participant)
        receipt = selectors.read_receipt(member=user, participant=participant, thread=thread)
        with context.push(thread=thread, receipt=receipt):
            return fragment.render(context)

    return fragments.cached(context, fragments.key("inmail:thread", fragment, shown), render)


@register.simple_tag(takes_context=True)
def thread_head(context):
    """A thread's header, read from the cache as the rows are: who the other member is (as
    read for the reader, with their badges) and the actions, which follow the conversation's
    folder and keep the list's filter; the spam reasons are in the page's language."""
    participant = context["participant"]
    shown = (
        context["user"].pk,
        participant.conversation_id,
        participant.folder,
        context.get("filter_query"),
        get_language(),
        fragments.field_names(context["other"]),
        fragments.fields(context["other"]),
    )
    head = fragments.template(context.template.engine, THREAD_HEAD)
    return fragments.render(context, head, fragments.key("inmail:head", head, shown))
