from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format

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
