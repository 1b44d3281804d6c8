"""core.queries.Compiled: a query built by the ORM once, run with each call's values."""

from datetime import UTC, datetime, timedelta
from unittest.mock import Mock

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery, Value
from django.utils import timezone

from accounts.models import Invitation, Member
from core import queries
from core.models import Session
from core.queries import Compiled, FirstPage, Pattern, first_row
from tests.factories import InvitationFactory, MemberFactory

JOINED = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def joined_after(*, member_id: int, since: datetime):
    later = Member.objects.filter(pk=OuterRef("pk"), date_joined__gt=since)
    return Member.objects.filter(pk=member_id).values(joined_after=Exists(later))


@pytest.mark.django_db
def test_each_call_runs_with_its_own_values_and_the_query_is_built_once():
    ada = MemberFactory(date_joined=JOINED)
    bob = MemberFactory(date_joined=JOINED + timedelta(days=2))
    build = Mock(wraps=joined_after)
    compiled = Compiled(build, member_id=int, since=datetime)

    answers = [
        bool(compiled.first(member_id=member.pk, since=since)["joined_after"])
        for member in (ada, bob)
        for since in (JOINED - timedelta(days=1), JOINED + timedelta(days=1))
    ]

    assert answers == [True, False, True, True]
    assert build.call_count == 2  # when it is compiled (the second build checks the first)


@pytest.mark.django_db
def test_no_row_is_none():
    compiled = Compiled(joined_after, member_id=int, since=datetime)

    assert compiled.first(member_id=123456, since=JOINED) is None


def test_a_value_the_query_does_not_use_is_refused(db):
    def ignores_since(*, member_id: int, since: datetime):
        return Member.objects.filter(pk=member_id).values(
            joined_after=Exists(Member.objects.none())
        )

    with pytest.raises(ValueError, match="missing"):
        Compiled(ignores_since, member_id=int, since=datetime).first(member_id=1, since=JOINED)


def test_a_value_that_changes_without_being_declared_is_refused(db):
    def reads_the_clock(*, member_id: int):
        # The time is a value like any other: through queries.now() and `now=datetime`.
        joined = Member.objects.filter(pk=OuterRef("pk"), date_joined__lt=timezone.now())
        return Member.objects.filter(pk=member_id).values(joined=Exists(joined))

    with pytest.raises(ValueError, match="more than its declared values"):
        Compiled(reads_the_clock, member_id=int).first(member_id=1)


def with_joined_before(*, member_id: int, now: datetime):
    before = Member.objects.filter(pk=OuterRef("pk"), date_joined__lt=queries.now())
    return (
        Member.objects.exclude(pk=member_id)
        .annotate(
            joined_before=Exists(before),
            first_joined=Subquery(Member.objects.order_by("date_joined").values("date_joined")[:1]),
        )
        .order_by("pk")
    )


@pytest.mark.django_db
def test_instances_are_the_querysets_with_their_annotations_at_each_calls_time():
    ada = MemberFactory(date_joined=JOINED)
    bob = MemberFactory(date_joined=JOINED + timedelta(days=2))
    cy = MemberFactory(date_joined=JOINED + timedelta(days=4))
    compiled = Compiled(with_joined_before, member_id=int, now=datetime)

    at_day_3 = compiled.instances(member_id=ada.pk, now=JOINED + timedelta(days=3))
    at_day_5 = compiled.instances(member_id=cy.pk, now=JOINED + timedelta(days=5))

    assert [(m.pk, bool(m.joined_before)) for m in at_day_3] == [(bob.pk, True), (cy.pk, False)]
    assert [(m.pk, bool(m.joined_before)) for m in at_day_5] == [(ada.pk, True), (bob.pk, True)]
    assert {m.first_joined for m in at_day_3} == {JOINED}
    assert at_day_5[1].full_name == bob.full_name
    assert at_day_5[1].date_joined == bob.date_joined


def invitations_to(*, member_id: int):
    return (
        Invitation.objects.filter(recipient=member_id)
        .select_related("sender", "recipient")
        .annotate(sender_joined=F("sender__date_joined"))
        .order_by("pk")
    )


@pytest.mark.django_db
def test_instances_are_built_as_the_queryset_builds_them_with_select_related_and_converters():
    ada, bob, cy = MemberFactory(), MemberFactory(date_joined=JOINED), MemberFactory()
    InvitationFactory(sender=bob, recipient=ada, note="Hello")
    InvitationFactory(sender=cy, recipient=ada)
    compiled = Compiled(invitations_to, member_id=int)

    for _ in range(2):  # the first run works out how to build them; the second reuses it
        built = compiled.instances(member_id=ada.pk)
        expected = list(invitations_to(member_id=ada.pk))

        assert built == expected
        for mine, django in zip(built, expected, strict=True):
            # Every field as Django converts it (a datetime on SQLite, an enum's value).
            assert mine.__dict__.keys() - {"_state"} == django.__dict__.keys() - {"_state"}
            assert [getattr(mine, name) for name in vars(django) if name != "_state"] == [
                getattr(django, name) for name in vars(django) if name != "_state"
            ]
            assert mine.sender.full_name == django.sender.full_name
            assert mine.recipient == ada
            assert not mine._state.adding
        assert built[0].sender_joined == JOINED
        assert built[0].note == "Hello"
    assert compiled.instances(member_id=bob.pk) == []


@pytest.mark.django_db
def test_a_select_related_member_that_is_not_there_is_none():
    Session.objects.create(session_key="k", session_data="", expire_date=JOINED, member=None)
    compiled = Compiled(
        lambda *, key: Session.objects.filter(session_key=key).select_related("member"), key=str
    )

    (session,) = compiled.instances(key="k")

    assert session.member is None


@pytest.mark.django_db
def test_instance_is_the_row_first_would_give_or_none():
    older, newer = MemberFactory(), MemberFactory()
    compiled = Compiled(
        lambda *, member_id: first_row(Member.objects.filter(pk__gte=member_id)), member_id=int
    )

    # Unordered, `.first()` takes the lowest primary key: so does first_row.
    assert compiled.instance(member_id=older.pk) == Member.objects.filter(pk__gte=older.pk).first()
    assert compiled.instance(member_id=newer.pk) == newer
    assert compiled.instance(member_id=newer.pk + 1) is None


@pytest.mark.django_db
def test_first_page_comes_from_first_and_the_others_from_the_queryset():
    members = [MemberFactory() for _ in range(5)]
    queryset = Member.objects.order_by("pk")
    first = Mock(return_value=list(queryset[:2]))
    paginator = Paginator(FirstPage(lambda: queryset, first), 2)

    one, three = paginator.page(1), paginator.page(3)

    assert paginator.count == 5
    assert list(one.object_list) == members[:2]
    assert list(three.object_list) == members[4:]
    assert first.call_count == 1


@pytest.mark.django_db
def test_a_first_page_not_full_is_the_whole_list_and_its_count(django_assert_num_queries):
    members = [MemberFactory() for _ in range(3)]
    queryset = Member.objects.order_by("pk")

    short = Paginator(FirstPage(lambda: queryset, lambda: list(queryset[:5]), size=5), 5)
    with django_assert_num_queries(1):  # the first page's, no count
        page = short.get_page(1)
        assert (short.count, list(page.object_list)) == (3, members)

    full = Paginator(FirstPage(lambda: queryset, lambda: list(queryset[:3]), size=3), 3)
    with django_assert_num_queries(2):  # the first page is full: there may be more
        page = full.get_page(1)
        assert (full.count, list(page.object_list)) == (3, members)

    # Another page asked for: counted, and read, from the QuerySet alone.
    first = Mock(return_value=list(queryset[:2]))
    other = Paginator(FirstPage(lambda: queryset, first, size=2, page="2"), 2)
    with django_assert_num_queries(2):
        page = other.get_page(2)
        assert (other.count, list(page.object_list)) == (3, members[2:])
    assert first.call_count == 0


@pytest.mark.django_db
def test_a_full_first_page_tells_the_count_its_rows_carry(django_assert_num_queries):
    members = [MemberFactory() for _ in range(5)]
    queryset = Member.objects.order_by("pk")
    counted = queryset.annotate(listed=Value(5))  # as a count subquery would give it
    count = Mock(return_value=5)

    def pages(page):
        first_page = FirstPage(
            lambda: queryset,
            lambda: list(counted[:2]),
            size=2,
            page=page,
            total="listed",
            count=count,
        )
        return Paginator(first_page, 2)

    first = pages(None)
    with django_assert_num_queries(1):  # the first page, which carries the count
        page = first.get_page(None)
        assert (first.count, list(page.object_list)) == (5, members[:2])
    assert count.call_count == 0

    # Another page: counted by `count`, read from the QuerySet.
    third = pages("3")
    with django_assert_num_queries(1):
        page = third.get_page("3")
        assert (third.count, list(page.object_list)) == (5, members[4:])
    assert count.call_count == 1


@pytest.mark.django_db
def test_a_pattern_is_matched_with_like_as_django_escapes_it():
    for name in ["50% off", "500 off", "a_b", "axb", "back\\slash"]:
        MemberFactory(first_name=name)
    compiled = Compiled(
        lambda *, text: Member.objects.filter(first_name__icontains=text).order_by("pk"),
        text=Pattern,
    )

    def found(text):
        return [m.first_name for m in compiled.instances(text=text)]

    assert found("50%") == ["50% off"]
    assert found("a_b") == ["a_b"]
    assert found("k\\s") == ["back\\slash"]
    assert found("OFF") == ["50% off", "500 off"]


def _prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_on_postgresql_a_compiled_query_is_prepared_unless_it_matches_text(monkeypatch):
    ada = MemberFactory(first_name="Ada", date_joined=JOINED)
    by_id = Compiled(joined_after, member_id=int, since=datetime)
    by_name = Compiled(
        lambda *, text: Member.objects.filter(first_name__icontains=text).order_by("pk"),
        text=Pattern,
    )

    # Each run with its own values, prepared or not.
    assert [by_id.first(member_id=ada.pk, since=JOINED + timedelta(days=d)) for d in (-1, 1)] == [
        {"joined_after": True},
        {"joined_after": False},
    ]
    assert by_name.instances(text="ad") == [ada]

    if connection.vendor == "postgresql":
        prepared = _prepared_statements()
        assert len([sql for sql in prepared if "joined_after" in sql]) == 1
        assert not [sql for sql in prepared if "LIKE" in sql]
        # DJANGO_DB_PREPARE=0 (a transaction-mode pooler that cannot keep them): none.
        monkeypatch.setattr(connection.connection, "prepare_threshold", None)
        by_pk = Compiled(lambda *, pk: Member.objects.filter(pk=pk).values(by_pk=F("pk")), pk=int)
        assert by_pk.first(pk=ada.pk) == {"by_pk": ada.pk}
        assert not [sql for sql in _prepared_statements() if "by_pk" in sql]


@pytest.mark.django_db
def test_on_postgresql_a_prepared_query_is_planned_once_whatever_its_values():
    members = MemberFactory.create_batch(3)
    by_id = Compiled(joined_after, member_id=int, since=datetime)

    for member in members * 3:  # PostgreSQL's default plans the first five runs each
        by_id.first(member_id=member.pk, since=JOINED)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE NOT from_sql AND statement LIKE '%%joined_after%%'"
            )
            assert cursor.fetchall() == [(9, 0)]


@pytest.mark.django_db
def test_a_query_that_matches_text_is_prepared_when_declared_planned_once():
    ada = MemberFactory(first_name="Ada")
    by_name = Compiled(
        lambda *, text: Member.objects.filter(first_name__icontains=text).order_by("pk"),
        plan_once=True,
        text=Pattern,
    )

    assert [by_name.instances(text=text) for text in ("ad", "%")] == [[ada], []]
    if connection.vendor == "postgresql":
        assert [sql for sql in _prepared_statements() if "LIKE" in sql]


@pytest.mark.django_db
@pytest.mark.parametrize("plan_once", [False, True])
def test_count_counts_the_querys_rows_no_further_than_asked(django_assert_num_queries, plan_once):
    MemberFactory.create_batch(3, headline="Gardener")
    MemberFactory(headline="Baker")
    gardeners = Compiled(
        lambda *, text: Member.objects.filter(headline__icontains=text).values("pk"),
        plan_once=plan_once,
        text=Pattern,
    )

    with django_assert_num_queries(3):
        counts = [gardeners.count(text="garden"), gardeners.count(text="garden", most=2)]
        counts.append(gardeners.count(text="nobody"))

    assert counts == [3, 2, 0]
    if connection.vendor == "postgresql":  # the planner's estimate, as EXPLAIN gives it
        queryset = Member.objects.filter(headline__icontains="garden").values("pk")
        estimate = queries.estimated_rows(*queryset.query.sql_with_params())
        assert gardeners.estimate(text="garden") == estimate >= 1


@pytest.mark.django_db
def test_a_prepared_querys_constants_are_written_into_its_sql_and_still_match():
    """On PostgreSQL only the declared values stay parameters: a plan made once for any of
    them can then use an index that holds only some rows (`folder = 'inbox'`). The texts are
    quoted by psycopg, however odd; a choice is written as its value."""
    odd = 'it\'s 100%\\ "odd"'
    ada = MemberFactory(first_name="Ada", headline=odd)
    MemberFactory(first_name="Ada", headline="plain")
    invitation = InvitationFactory(recipient=ada)
    by_headline = Compiled(
        lambda *, member_id: Member.objects.filter(headline=odd, pk__gte=member_id).order_by("pk"),
        member_id=int,
    )
    pending = Compiled(
        lambda *, member_id: Invitation.objects.filter(
            recipient_id=member_id, status=Invitation.Status.PENDING
        ).values(n=F("pk")),
        member_id=int,
    )

    assert by_headline.instances(member_id=0) == [ada]
    assert pending.first(member_id=ada.pk) == {"n": invitation.pk}
    if connection.vendor == "postgresql":
        assert "'it''s 100%%" in by_headline._compile()["sql"]
        assert by_headline._compile()["params"] == [queries._placeholder(int, 0)]
        assert "'pending'" in pending._compile()["sql"]


def test_a_prepared_query_runs_with_postgresqls_own_placeholders_numbered_once():
    sql = "SELECT %s, '100%%s off' || %s FROM t WHERE x LIKE '%%' || %s"

    assert queries._numbered(sql) == "SELECT $1, '100%s off' || $2 FROM t WHERE x LIKE '%' || $3"


@pytest.mark.django_db
def test_a_compiled_query_longer_than_psycopgs_cached_ones_runs_with_its_values():
    # Over 4 KB of SQL (psycopg parses those at each run): an IN of 1,500 constants.
    many = list(range(-1500, 0))
    ada, bo = MemberFactory(), MemberFactory()
    compiled = Compiled(
        lambda *, member_id: Member.objects.filter(pk=member_id).exclude(pk__in=many),
        member_id=int,
    )

    assert len(compiled._compile()["sql"]) > 4096
    assert compiled.instances(member_id=ada.pk) == [ada]
    assert compiled.instances(member_id=bo.pk) == [bo]
