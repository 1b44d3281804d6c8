"""core.fragments: a fragment's key names the files it is made of, however deep; a part it
leaves uncached is rendered anew each time it is read."""

import time
from types import SimpleNamespace

import pytest
import time_machine
from django.template import Context, Engine
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from core import fragments


def engine(**sources):
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", sources)],
        libraries={"cached": "core.templatetags.cached"},
    )


ROW = "{% partialdef row %}{{ x }}{% include 'avatar.html' %}{% endpartialdef %}"


def test_a_change_to_a_file_the_fragment_includes_changes_its_digest():
    before = fragments.template(engine(**{"row.html": ROW, "avatar.html": "a"}), "row.html#row")
    after = fragments.template(engine(**{"row.html": ROW, "avatar.html": "b"}), "row.html#row")
    same = fragments.template(engine(**{"row.html": ROW, "avatar.html": "a"}), "row.html#row")

    assert before.digest != after.digest
    assert before.digest == same.digest


def test_a_file_that_includes_itself_has_a_digest():
    looping = "{% if deep %}{% include 'row.html' %}{% endif %}"

    assert fragments.template(engine(**{"row.html": looping}), "row.html").digest


@pytest.mark.usefixtures("db")
def test_an_uncached_part_is_rendered_anew_each_time_the_fragment_is_read():
    sources = {
        "page.html": "{% load cached %}[{% fragment 'card.html#card' name %}]",
        "card.html": "{% load cached %}{% partialdef card %}{{ name }}: "
        "{% uncached 'count.html' %}, {{ count }}{% endpartialdef %}",
        "count.html": "{{ count }}",
    }
    page = engine(**sources).get_template("page.html")

    def shown(count):
        request = RequestFactory().get("/")
        context = {"user": SimpleNamespace(pk=1), "request": request, "name": "Ada"}
        return page.render(Context({**context, "count": count}))

    # The fragment's key holds the name, not the count: the second read is the first's
    # fragment, with its uncached part rendered again.
    assert shown(1) == "[Ada: 1, 1]"
    assert shown(2) == "[Ada: 2, 1]"


# --- the fragments' cache ----------------------------------------------------------------


def fragment_cache(**options):
    return fragments.FragmentCache("test-fragments", {"OPTIONS": options})


def test_the_fragments_cache_keeps_html_as_it_is_until_it_expires():
    cache = fragment_cache()
    cache.clear()
    html = mark_safe("<li>Ada</li>")

    cache.set("a", html, 60)
    cache.set_many({"b": "<li>Bo</li>", "c": "<li>Cy</li>"}, 1)

    assert cache.get("a") is html  # not a copy: a str cannot change
    assert cache.get_many(["a", "b", "missing"]) == {"a": html, "b": "<li>Bo</li>"}
    with time_machine.travel(time.time() + 2):
        assert cache.get_many(["a", "b", "c"]) == {"a": html}
        assert cache.get("b", "gone") == "gone"


def test_the_fragments_cache_holds_html_only_and_at_most_its_entries():
    cache = fragment_cache(MAX_ENTRIES=3, CULL_FREQUENCY=3)
    cache.clear()
    for name in "abc":
        cache.set(name, name)
    cache.get("a")  # read recently: kept when the least recent go

    cache.set("d", "d")

    assert cache.get_many(list("abcd")) == {"a": "a", "c": "c", "d": "d"}
    with pytest.raises(TypeError):
        cache.set("e", {"not": "html"})
    assert cache.get("e") is None
