from django import template
from django.utils.timesince import timesince

from core import fragments

register = template.Library()

ROW = "components/members.html#member_row"


def _row_key(context, m, row) -> str:
    """Everything the row shows: the member as read for this viewer (every field and badge
    of the query: degree, mutual connections, invitations), where its buttons come back to,
    and how long ago an invitation was sent ("3 days ago" changes with the time)."""
    invited_at = getattr(m, "invited_at", None)
    shown = (
        context["user"].pk,
        context.get("invitation"),
        context.get("back_url") or context["request"].get_full_path(),
        timesince(invited_at) if invited_at else None,
        sorted((name, value) for name, value in vars(m).items() if not name.startswith("_")),
    )
    return fragments.key("members:row", row, shown)


@register.simple_tag(takes_context=True)
def member_rows(context, members, invitation=False):
    """`components/members.html#member_row` for each member (with the invitation's note and
    time when `invitation`), each read from the cache as core.fragments keeps them."""
    row = fragments.template(context.template.engine, ROW)
    with context.push(invitation=invitation):
        return fragments.render_each(
            context, row, members, lambda m: _row_key(context, m, row), "m"
        )
