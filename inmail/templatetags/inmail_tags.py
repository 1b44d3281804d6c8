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


def _row_template(engine):
    """The row's compiled template, with a digest of its files that every key includes: a
    deploy (or, in development, an edit) that changes the markup never serves the old rows.
    Computed once per compiled template, so once per process in production."""
    row = engine.get_template(ROW)
    if not hasattr(row, "digest"):
        digest = hashlib.md5(usedforsecurity=False)
        for name in ROW_FILES:
            digest.update(engine.find_template(name)[0].source.encode())
        row.digest = digest.hexdigest()[:8]
    return row


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
    keys = [_row_key(context, p, row_template.digest) for p in rows]
    found = shared_cache.get_many(keys)
    missing = {}
    html = []
    for key, p in zip(keys, rows, strict=True):
        if key not in found:
            with context.push(p=p):
                found[key] = missing[key] = row_template.render(context)
        html.append(found[key])
    if missing:
        shared_cache.set_many(missing, ROW_SECONDS)
    return mark_safe("".join(html))
