import hashlib
from datetime import timedelta

from django import template
from django.core.cache import cache as shared_cache
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

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
def seen_time(moment):
    """When a read receipt was read: the time today, else the day (as the inbox) and the time."""
    local = timezone.localtime(moment)
    time = format_date(local, "g:i A")
    return time if local.date() == timezone.localdate() else f"{inbox_time(moment)}, {time}"


@register.simple_tag(takes_context=True)
def compose_for(context, member):
    """How the signed-in member may write to `member` now (inmail.selectors.Compose): what the
    profile's Message button and credit badge say before anything is clicked. `member` is
    the profile's, read through accounts.selectors.members_for_viewer: visible, with badges."""
    return selectors.compose_options(sender=context["request"].user, recipient=member, visible=True)


ROW = "inmail/components.html#conversation_row"
ROW_FILES = ("inmail/components.html", "accounts/components.html")  # the row and its avatar
ROW_SECONDS = 24 * 60 * 60  # a row's key names the day: it is never read after that
MESSAGE = "inmail/inbox.html#message"
MESSAGE_FILES = ("inmail/inbox.html", "inmail/components.html")  # the message, its receipt


def _fragment_template(engine, name, files):
    """The fragment's compiled template, with a digest of its files that every key includes:
    a deploy (or, in development, an edit) that changes the markup never serves the old
    fragments. Computed once per compiled template, so once per process in production."""
    fragment = engine.get_template(name)
    if not hasattr(fragment, "digest"):
        digest = hashlib.md5(usedforsecurity=False)
        for file in files:
            digest.update(engine.find_template(file)[0].source.encode())
        fragment.digest = digest.hexdigest()[:8]
    return fragment


def _row_template(engine):
    return _fragment_template(engine, ROW, ROW_FILES)


def _cached(context, template, items, key, name):
    """Each item rendered by `template` (with the item as `name`), read from the cache under
    `key(item)`: the ones missing are rendered and stored together."""
    keys = [key(item) for item in items]
    found = shared_cache.get_many(keys)
    missing = {}
    html = []
    for each, item in zip(keys, items, strict=True):
        if each not in found:
            with context.push({name: item}):
                found[each] = missing[each] = template.render(context)
        html.append(found[each])
    if missing:
        shared_cache.set_many(missing, ROW_SECONDS)
    return mark_safe("".join(html))


def _row_key(context, p, digest: str) -> str:
    """Everything the row shows, and nothing else: a change to any of it is a new key, so a
    stale row cannot be shown (a renamed member, a new message, read or unread, moved)."""
    conversation, last, m = p.conversation, p.conversation.last_message, p.other
    shown = (
        # The page: who reads it, which row is open, the filter its links keep, today (the
        # row's time reads "9:30 AM" today, "Mon" this week, a date after that).
        context["user"].pk,
        context.get("current_id"),
        context.get("filter_query"),
        bool(context.get("oob")),
        context.get("row_oob"),
        timezone.localdate(),
        # The row.
        p.conversation_id,
        p.unread,
        p.folder,
        p.last_message_at,
        conversation.kind,
        conversation.subject,
        last and (last.pk, last.author_id, last.body),
        (m.pk, m.first_name, m.last_name, getattr(m, "degree", None)),
    )
    digest_of_row = hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()
    return f"inmail:row:{digest}:{digest_of_row}"


@register.simple_tag(takes_context=True)
def conversation_rows(context, rows):
    """The conversation list's rows, each rendered once and then read from the cache (Redis
    in production, the process's memory in development) under a key made of what it shows:
    a page of 20 rows is one cache read, and renders only the rows that changed."""
    row_template = _row_template(context.template.engine)
    return _cached(
        context, row_template, rows, lambda p: _row_key(context, p, row_template.digest), "p"
    )


def _message_key(context, message, digest: str) -> str:
    """Everything a message shows (inbox.html#message), as `_row_key` for a row: whose it is
    (mine or theirs), its author's name, its text and time, today (its time reads "9:30 AM"
    today, "Mon" this week), and the "Seen" under it when it has the read receipt."""
    receipt = context.get("receipt")
    author = message.author
    shown = (
        context["user"].pk,
        timezone.localdate(),
        context["conversation"].pk,
        message.pk,
        message.kind,
        message.author_id,
        author.first_name,
        author.last_name,
        message.body,
        message.created_at,
        receipt.at if receipt and receipt.message == message else None,
    )
    digest_of_message = hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()
    return f"inmail:message:{digest}:{digest_of_message}"


@register.simple_tag(takes_context=True)
def thread_messages(context, messages):
    """A thread's messages, each read from the cache as the conversation list's rows are
    (`conversation_rows`): a thread of 20 messages is one cache read."""
    template = _fragment_template(context.template.engine, MESSAGE, MESSAGE_FILES)
    return _cached(
        context,
        template,
        messages,
        lambda message: _message_key(context, message, template.digest),
        "message",
    )
