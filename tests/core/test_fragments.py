"""core.fragments: a fragment's key names the files it is made of, however deep."""

from django.template import Engine

from core import fragments


def engine(**sources):
    return Engine(loaders=[("django.template.loaders.locmem.Loader", sources)])


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
