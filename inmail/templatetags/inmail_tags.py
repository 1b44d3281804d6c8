from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format

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
