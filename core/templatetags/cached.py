"""Fragments of the pages read from the cache (core.fragments): the top bar, member rows, any
fragment a page names with what it shows; and the page's assets, rendered once per process."""

import functools

from django import template
from django.db.models import Model
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from core import fragments

register = template.Library()

TOPBAR = "base.html#topbar"
ROW = "components/members.html#member_row"
ASSETS = "base.html#assets"


@register.simple_tag(takes_context=True)
def assets(context):
    """The stylesheet and scripts every page loads (base.html#assets): the same on every page
    a process serves, since static files are named once per deploy (make run restarts on a
    template's change), but for the request's CSP nonce, put in where the placeholder is."""
    html = _assets(context.template.engine)
    nonce = context.get("csp_nonce")  # a LazyNonce: made on first use, false until then
    if nonce is not None:
        return mark_safe(html.replace(_NONCE_PLACEHOLDER, str(nonce)))
    return mark_safe(html.replace(f' nonce="{_NONCE_PLACEHOLDER}"', ""))


_NONCE_PLACEHOLDER = "core.cached:csp-nonce:5e0c1"


@functools.cache
def _assets(engine) -> str:
    return engine.get_template(ASSETS).render(template.Context({"csp_nonce": _NONCE_PLACEHOLDER}))


@register.simple_tag(takes_context=True)
def topbar(context):
    """The top bar of every page: the signed-in member's name and menu, the counts on its
    icons, which icon is the page's, the search box's text; and the icons' file (its hashed
    name changes with a deploy that changes it)."""
    user, match = context["user"], context["request"].resolver_match
    shown = (
        user.is_authenticated
        and (
            user.pk,
            user.first_name,
            user.last_name,
            user.headline,
            user.slug,
            user.is_staff,
            match and (match.url_name, match.app_name),
            context.get("query"),
            # The counts are lazy (inmail.context_processors): their text, as the bar shows.
            str(context.get("pending_invitations")),
            str(context.get("unread_messages")),
            bool(context.get("oob")),
        ),
        static("icons.svg"),
    )
    bar = fragments.template(context.template.engine, TOPBAR)
    return fragments.render(context, bar, fragments.key("topbar", bar, shown))


def _row_key(page: tuple, m, row) -> str:
    """Everything the row shows: the member as read for this viewer (every field and badge
    of the query: degree, mutual connections, invitations), how long ago an invitation was
    sent ("3 days ago" changes with the time) and what `page` says of every row alike."""
    invited_at = getattr(m, "invited_at", None)
    shown = (*page, timesince(invited_at) if invited_at else None, fragments.fields(m))
    return fragments.key("members:row", row, shown)


@register.simple_tag(takes_context=True)
def member_rows(context, members, invitation=False):
    """`components/members.html#member_row` for each member (with the invitation's note and
    time when `invitation`), each read from the cache as core.fragments keeps them."""
    row = fragments.template(context.template.engine, ROW)
    members = list(members)
    # The same for every row, read once: the viewer, where its buttons come back to, and
    # what each of a row's values is (the rows come from one query).
    page = (
        context["user"].pk,
        invitation,
        context.get("back_url") or context["request"].get_full_path(),
        fragments.field_names(members[0]) if members else (),
    )
    with context.push(invitation=invitation):
        return fragments.render_each(context, row, members, lambda m: _row_key(page, m, row), "m")


@register.simple_tag(takes_context=True)
def fragment(context, name, *shown):
    """The template `name` rendered with the page's context, read from the cache under what it
    shows: `shown`, the values the page gives it (a member as read, with every field and
    annotation of its query), the viewer and the page's address (where its forms come back
    to). Whatever else it shows must be a part rendered anew, `{% uncached %}`."""
    part = fragments.template(context.template.engine, name)
    values = (context["user"].pk, context["request"].get_full_path(), *map(_plain, shown))
    return fragments.render(context, part, fragments.key(name, part, values))


def _plain(value):
    if isinstance(value, Model):
        return fragments.field_names(value), fragments.fields(value)
    if isinstance(value, list | tuple):
        return [_plain(each) for each in value]
    return value


@register.simple_tag(takes_context=True)
def uncached(context, name):
    """Inside a cached fragment, the template `name` rendered anew each time it is shown
    (core.fragments.live); elsewhere, as `{% include %}` would."""
    return fragments.live(context, name)
