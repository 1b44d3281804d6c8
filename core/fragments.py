"""Fragments rendered once and then read from the cache (the "fragments" cache: each process's
own memory), each under a key made of everything it shows: a list of 20 rows is one cache
read, and renders only the rows that changed.

A stale fragment cannot be shown: whatever it shows is in its key, with a digest of the
template files it is made of (a deploy, or in development an edit, that changes the markup
never serves the old fragments). A part that its key cannot hold (what it reads with a query
of its own) is left out of it, a placeholder in its place (`live`), and rendered anew every
time the fragment is read.
"""

import hashlib
import re
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import IncludeNode
from django.utils.safestring import mark_safe

SECONDS = 24 * 60 * 60  # keys that name the day (a row's "9:30 AM") are never read after it
# What a cached fragment holds where its page's {% csrf_token %} goes: the token is the
# request's (masked anew on every page), put in after the fragments are read.
_CSRF_PLACEHOLDER = "core.fragments:csrf-token:a41f7"
_CSRF_INPUT_PLACEHOLDER = CsrfTokenNode().render(Context({"csrf_token": _CSRF_PLACEHOLDER}))
# What a cached fragment holds where a part rendered anew each time goes (`live`).
_CACHING = "core.fragments:caching"
_LIVE = re.compile(r"<!--core\.fragments:live:([\w/.#-]+)-->")


def _cache():
    return caches["fragments"]


class FragmentCache(LocMemCache):
    """The fragments' cache (settings.CACHES["fragments"]): Django's LocMemCache, holding
    HTML. A str cannot change, so it is kept as it is rather than pickled (which copies a
    value that could); a list's rows are read under one lock; and the keys, this module's
    (a prefix and hex digests), are not checked against memcached's rules, which no cache
    in a process's memory has. A page of 25 rows read in 30 µs rather than 150."""

    def get(self, key, default=None, version=None):
        return self.get_many([key], version=version).get(key, default)

    def get_many(self, keys, version=None):
        found, now = {}, time.time()
        with self._lock:
            for key in keys:
                made = self.make_key(key, version=version)
                expires = self._expire_info.get(made, -1)
                if expires is not None and expires <= now:
                    self._delete(made)
                else:
                    found[key] = self._cache[made]
                    self._cache.move_to_end(made, last=False)
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.set_many({key: value}, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not all(isinstance(value, str) for value in data.values()):
            raise TypeError("the fragments' cache holds HTML (str) only")
        with self._lock:
            for key, value in data.items():
                self._set(self.make_key(key, version=version), value, timeout)
        return []

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        raise NotImplementedError("the fragments' cache is written with set()")

    def incr(self, key, delta=1, version=None):
        raise NotImplementedError("the fragments' cache holds HTML")


def template(engine, name: str):
    """The fragment's compiled template, with a digest of the files it is made of (its own,
    and every one it includes, however deep) that every key includes; computed once per
    compiled template, so once per process in production."""
    fragment = engine.get_template(name)
    if not hasattr(fragment, "digest"):
        digest = hashlib.md5(usedforsecurity=False)
        for source in _sources(engine, name, seen=set()):
            digest.update(source.encode())
        fragment.digest = digest.hexdigest()[:8]
    return fragment


def _sources(engine, name: str, seen: set[str]):
    """The source of the file `name` is in, then of each file it includes by a literal name."""
    file = name.partition("#")[0]
    if file in seen:
        return
    seen.add(file)
    whole = engine.get_template(file)
    yield whole.source
    for node in whole.nodelist.get_nodes_by_type(IncludeNode):
        if isinstance(included := node.template.var, str):
            yield from _sources(engine, included, seen)


def fields(instance) -> tuple:
    """An instance's values as read (its fields and its query's annotations), for a key: a
    change to any of them is a new key, whichever of them the fragment shows. In the order
    they were read, which is their query's: the instances of one query all name theirs
    alike (`field_names`), so a list's rows need to name them once."""
    return tuple(value for name, value in vars(instance).items() if name[0] != "_")


def field_names(instance) -> tuple:
    """What each of `fields(instance)` is."""
    return tuple(name for name in vars(instance) if name[0] != "_")


def key(prefix: str, fragment, shown: tuple) -> str:
    """The cache key of a fragment that shows `shown` (a tuple of plain values)."""
    digest = hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}:{fragment.digest}:{digest}"


def render(context, fragment, key_of_it: str):
    """`fragment` rendered with `context`, read from the cache under `key_of_it`."""
    return cached(context, key_of_it, fragment.render)


def cached(context, key_of_it: str, render):
    """What `render(context)` returns, read from the cache under `key_of_it`: `render` runs
    only when it is missing there, so whatever it reads is read only then."""
    html = _cache().get(key_of_it)
    if html is None:
        with _caching(context):
            html = render(context)
        _cache().set(key_of_it, html, SECONDS)
    return _with_live_parts(context, html)


def render_each(context, fragment, items, key_of, name: str):
    """Each item rendered by `fragment` (with the item as `name`), read from the cache under
    `key_of(item)`: the ones missing are rendered and stored together."""
    keys = [key_of(item) for item in items]
    found = _cache().get_many(keys)
    missing = {}
    html = []
    with _caching(context):
        for each, item in zip(keys, items, strict=True):
            if each not in found:
                with context.push({name: item}):
                    found[each] = missing[each] = fragment.render(context)
            html.append(found[each])
    if missing:
        _cache().set_many(missing, SECONDS)
    return _with_live_parts(context, "".join(html))


def _caching(context):
    """The context of a fragment rendered for the cache: placeholders for the request's CSRF
    token and for its `live` parts."""
    return context.push({"csrf_token": _CSRF_PLACEHOLDER, _CACHING: True})


def live(context, name: str):
    """The template `name` rendered with `context` each time the fragment around it is shown,
    whether that was read from the cache or not: for a part whose key would need a query of
    its own (what the profile's Message button says depends on the viewer's credits).
    It is rendered with the context the fragment is shown in, the page's: what it reads must
    be set there, not inside the fragment."""
    if context.get(_CACHING):
        return mark_safe(f"<!--core.fragments:live:{name}-->")
    return context.template.engine.get_template(name).render(context)


def _with_live_parts(context, html: str):
    """The fragments' HTML with the request's own CSRF token and `live` parts where they hold
    their placeholders."""
    if _CSRF_INPUT_PLACEHOLDER in html:
        html = html.replace(_CSRF_INPUT_PLACEHOLDER, CsrfTokenNode().render(context))
    if "<!--core.fragments:live:" in html:
        html = _LIVE.sub(lambda found: live(context, found[1]), html)
    return mark_safe(html)
