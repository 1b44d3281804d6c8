import re

import pytest
from django.db import connection
from django.urls import reverse

from accounts import selectors
from accounts.models import Block, Connection, Invitation, Member
from tests.assertions import text
from tests.factories import PASSWORD, BlockFactory, InvitationFactory, MemberFactory, connect

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/search/?q=grace"}


# Sign up, sign in, sign out


@pytest.mark.django_db
class TestSignup:
    url = reverse("accounts:signup")
    data = {
        "first_name": "Nina",
        "last_name": "Park",
        "email": "Nina.Park@Example.com",
        "password": "a-long-enough-passphrase",
        "headline": "Staff engineer",
    }

    def test_creates_the_member_and_signs_in(self, client):
        response = client.post(self.url, self.data)

        assert response.status_code == 302
        member = Member.objects.get()
        assert member.email == "nina.park@example.com"
        assert member.slug == "nina-park"
        assert member.check_password("a-long-enough-passphrase")
        assert client.get(reverse("home")).context["user"] == member

    def test_existing_email_in_any_case_is_refused(self, client, member):
        response = client.post(self.url, {**self.data, "email": "ADA@example.com"})

        assert response.status_code == 400
        assert "An account with this email already exists. Sign in instead." in text(response)
        assert Member.objects.count() == 1

    def test_weak_password_is_refused(self, client):
        response = client.post(self.url, {**self.data, "password": "12345678"})

        assert response.status_code == 400
        assert "This password is entirely numeric." in text(response)
        assert not Member.objects.exists()

    def test_password_like_the_name_is_refused(self, client):
        response = client.post(self.url, {**self.data, "password": "ninaparkexample"})

        assert response.status_code == 400
        assert "The password is too similar" in text(response)
        assert not Member.objects.exists()

    def test_missing_name_is_refused(self, client):
        response = client.post(self.url, {**self.data, "first_name": ""})

        assert response.status_code == 400
        assert "This field is required." in text(response)
        assert not Member.objects.exists()


@pytest.mark.django_db
class TestSignIn:
    url = reverse("login")

    def test_signs_in_with_email_in_any_case(self, client, member):
        response = client.post(self.url, {"username": "ADA@example.com", "password": PASSWORD})

        assert response.status_code == 302
        assert response["Location"] == reverse("home")

    def test_wrong_password_gets_a_clear_message(self, client, member):
        response = client.post(self.url, {"username": "ada@example.com", "password": "nope"})

        assert response.status_code == 400
        assert "That email and password don't match an account." in text(response)

    def test_sign_out_needs_a_post(self, member_client):
        assert member_client.get(reverse("logout")).status_code == 405
        assert member_client.post(reverse("logout")).status_code == 302
        assert member_client.get(reverse("accounts:my_network")).status_code == 302

    def test_pages_ask_anonymous_visitors_to_sign_in(self, client, other):
        response = client.get(other.get_absolute_url())

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_password_reset_sends_an_email(self, client, member, mailoutbox):
        response = client.post(reverse("password_reset"), {"email": "ada@example.com"})

        assert response.status_code == 302
        assert len(mailoutbox) == 1
        assert mailoutbox[0].subject == "Reset your InMail password"
        assert "/accounts/reset/" in mailoutbox[0].body


# Profiles


@pytest.mark.django_db
class TestProfile:
    def test_shows_a_second_degree_member_with_mutual_connections(self, member_client, member):
        friend, stranger = MemberFactory(), MemberFactory(headline="Compiler pioneer")
        connect(member, friend)
        connect(friend, stranger)

        response = member_client.get(stranger.get_absolute_url())

        assert response.status_code == 200
        page = text(response)
        assert stranger.full_name in page
        assert "· 2nd" in page
        assert "Compiler pioneer" in page
        assert f'1 mutual connection:\n            <a href="{friend.get_absolute_url()}">' in page
        assert ">Connect</button>" in page

    def test_names_three_mutual_connections_and_counts_the_others(self, member_client, member):
        stranger = MemberFactory()
        friends = [MemberFactory(last_name=f"Friend {n}") for n in range(5)]
        for friend in friends:
            connect(member, friend)
            connect(friend, stranger)

        page = text(member_client.get(stranger.get_absolute_url()))

        assert "5 mutual connections:" in page
        assert all(friend.full_name in page for friend in friends[:3])
        assert friends[3].full_name not in page
        assert "and 2 others</p>" in page

    def test_first_degree_shows_message_and_remove(self, member_client, member, other):
        connect(member, other)

        page = text(member_client.get(other.get_absolute_url()))

        assert "· 1st" in page
        assert ">Message</a>" in page
        assert reverse("inmail:compose", args=[other.slug]) in page
        assert "Remove connection" in page

    def test_third_degree_member(self, member_client, other):
        page = text(member_client.get(other.get_absolute_url()))

        assert "· 3rd+" in page
        assert "mutual connection" not in page

    def test_pending_invitation_shows_pending(self, member_client, member, other):
        InvitationFactory(sender=member, recipient=other)

        assert "Pending" in text(member_client.get(other.get_absolute_url()))

    def test_own_profile_offers_edit(self, member_client, member):
        page = text(member_client.get(member.get_absolute_url()))

        assert "Edit profile" in page
        assert "Connect</button>" not in page

    def test_unknown_slug_is_404(self, member_client):
        assert member_client.get("/in/nobody-here/").status_code == 404

    @pytest.mark.parametrize("direction", ["viewer_blocked", "viewer_was_blocked"])
    def test_blocked_members_cannot_see_each_other(self, member_client, member, other, direction):
        if direction == "viewer_blocked":
            BlockFactory(blocker=member, blocked=other)
        else:
            BlockFactory(blocker=other, blocked=member)

        assert member_client.get(other.get_absolute_url()).status_code == 404

    def test_html_in_a_profile_is_shown_as_text(self, member_client):
        evil = MemberFactory(
            first_name="<b>Eve</b>", headline="<script>alert(1)</script>", about="<img src=x>"
        )

        page = member_client.get(evil.get_absolute_url()).content.decode()

        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>Eve</b>" not in page
        assert "<img src=x>" not in page

    def test_edit_saves_the_profile(self, member_client, member):
        slug_before = member.slug
        response = member_client.post(
            reverse("accounts:profile_edit"),
            {
                "first_name": "Ada",
                "last_name": "King",
                "headline": "Analyst",
                "location": "London",
                "about": "Notes on the engine.",
            },
        )

        assert response.status_code == 302
        member.refresh_from_db()
        assert (member.last_name, member.headline, member.location) == ("King", "Analyst", "London")
        assert member.slug == slug_before  # the profile address survives a change of name

    def test_edit_with_an_empty_name_changes_nothing(self, member_client, member):
        response = member_client.post(
            reverse("accounts:profile_edit"),
            {"first_name": "", "last_name": "King", "headline": "", "location": "", "about": ""},
        )

        assert response.status_code == 400
        assert "This field is required." in text(response)
        member.refresh_from_db()
        assert (member.first_name, member.last_name) == ("Ada", "Lovelace")


@pytest.mark.django_db
class TestSettings:
    def test_turns_inmail_off(self, member_client, member):
        response = member_client.post(reverse("accounts:settings"), {"read_receipts": "on"})

        assert response.status_code == 302
        member.refresh_from_db()
        assert (member.accept_inmail, member.read_receipts) == (False, True)

    def test_shows_read_receipts_on_by_default_with_what_they_do(self, member_client):
        page = text(member_client.get(reverse("accounts:settings")))

        assert re.search(r'<input type="checkbox" name="read_receipts"[^>]* checked', page)
        assert '<label for="id_read_receipts">Read receipts</label>' in page
        assert "Let members see when you've read their messages." in page

    def test_turns_read_receipts_off_without_javascript(self, member_client, member):
        response = member_client.post(
            reverse("accounts:settings"), {"accept_inmail": "on"}, follow=True
        )

        assert response.redirect_chain == [(reverse("accounts:settings"), 302)]
        assert "Your settings were saved." in text(response)
        assert not re.search(r'name="read_receipts"[^>]* checked', text(response))
        member.refresh_from_db()
        assert (member.accept_inmail, member.read_receipts) == (True, False)

    def test_with_htmx_answers_the_form_and_says_saved_in_the_status_line(
        self, member_client, member
    ):
        response = member_client.post(
            reverse("accounts:settings"),
            {"accept_inmail": "on"},
            headers={"HX-Request": "true", "HX-Target": "messaging-settings"},
        )

        assert response.status_code == 200
        page = text(response)
        assert page.lstrip().startswith('<form id="messaging-settings"')
        assert "<h1>" not in page
        assert '<div hx-swap-oob="innerHTML:#settings-status">' in page
        assert "Your settings were saved." in page
        member.refresh_from_db()
        assert member.read_receipts is False
        # Said once, in the status line: not again as a message on the next page.
        assert "Your settings were saved." not in text(member_client.get(reverse("home")))

    def test_lists_and_unblocks_blocked_members(self, member_client, member, other):
        BlockFactory(blocker=member, blocked=other)
        assert other.full_name in text(member_client.get(reverse("accounts:settings")))

        response = member_client.post(reverse("accounts:unblock", args=[other.pk]))

        assert response.status_code == 302
        assert not Block.objects.exists()
        assert member_client.get(other.get_absolute_url()).status_code == 200

    def test_unblocking_someone_not_blocked_is_404(self, member_client, other):
        assert member_client.post(reverse("accounts:unblock", args=[other.pk])).status_code == 404


# Invitations and connections


@pytest.mark.django_db
class TestConnect:
    def url(self, member):
        return reverse("accounts:connect", args=[member.slug])

    def test_plain_post_sends_and_goes_back(self, member_client, member, other):
        response = member_client.post(self.url(other), {"note": "Hi Grace", "next": "/search/?q=g"})

        assert response.status_code == 302
        assert response["Location"] == "/search/?q=g"
        invitation = Invitation.objects.get()
        assert (invitation.sender, invitation.recipient, invitation.note) == (
            member,
            other,
            "Hi Grace",
        )

    def test_next_to_another_site_is_ignored(self, member_client, other):
        response = member_client.post(self.url(other), {"next": "https://evil.example/"})

        assert response["Location"] == other.get_absolute_url()

    def test_htmx_post_swaps_the_buttons(self, member_client, other):
        response = member_client.post(self.url(other), **HTMX)

        assert response.status_code == 200
        page = text(response)
        assert page.lstrip().startswith(f'<div class="actions" id="actions-{other.pk}">')
        assert "Pending" in page
        assert f"Invitation sent to {other.full_name}." in page
        assert 'value="/search/?q=grace"' in page  # the buttons post back to the page they are on

    def test_crossing_invitation_connects(self, member_client, member, other):
        InvitationFactory(sender=other, recipient=member)

        response = member_client.post(self.url(other), **HTMX)

        assert f"You're now connected with {other.full_name}." in text(response)
        assert Connection.objects.filter(member=member, other=other).exists()

    def test_note_over_300_characters_is_refused(self, member_client, other):
        response = member_client.post(self.url(other), {"note": "x" * 301})

        assert response.status_code == 400
        assert "Your note can be at most 300 characters; it has 301." in text(response)
        assert not Invitation.objects.exists()

    def test_note_of_300_characters_is_fine(self, member_client, other):
        member_client.post(self.url(other), {"note": "x" * 300})

        assert Invitation.objects.get().note == "x" * 300

    def test_inviting_yourself_is_refused(self, member_client, member):
        response = member_client.post(self.url(member))

        assert response.status_code == 400
        assert "You can't invite yourself to connect." in text(response)
        assert not Invitation.objects.exists()

    def test_second_invitation_is_refused(self, member_client, member, other):
        InvitationFactory(sender=member, recipient=other)

        page = member_client.post(self.url(other))
        response = member_client.post(self.url(other), **HTMX)

        assert page.status_code == 409
        # htmx swaps the buttons with the reason in, in development mode too (see core.htmx).
        assert response.status_code == 422
        assert "already invited" in text(response)
        assert Invitation.objects.count() == 1

    def test_inviting_a_blocked_member_is_404(self, member_client, member, other):
        BlockFactory(blocker=other, blocked=member)

        response = member_client.post(self.url(other))

        assert response.status_code == 404
        assert not Invitation.objects.exists()

    def test_unknown_member_is_404(self, member_client):
        assert member_client.post("/in/nobody/connect/").status_code == 404

    def test_get_is_not_allowed(self, member_client, other):
        assert member_client.get(self.url(other)).status_code == 405


@pytest.mark.django_db
class TestInvitationActions:
    def test_accept_connects_and_swaps_in_message(self, member_client, member, other):
        invitation = InvitationFactory(sender=other, recipient=member)

        response = member_client.post(
            reverse("accounts:invitation_accept", args=[invitation.pk]), **HTMX
        )

        assert response.status_code == 200
        assert ">Message</a>" in text(response)
        assert Connection.objects.filter(member=other, other=member).exists()

    def test_accept_without_javascript_redirects_to_my_network(self, member_client, member, other):
        invitation = InvitationFactory(sender=other, recipient=member)

        response = member_client.post(reverse("accounts:invitation_accept", args=[invitation.pk]))

        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:my_network")

    def test_accepting_twice_is_refused(self, member_client, member, other):
        invitation = InvitationFactory(
            sender=other, recipient=member, status=Invitation.Status.ACCEPTED
        )

        response = member_client.post(reverse("accounts:invitation_accept", args=[invitation.pk]))

        assert response.status_code == 409
        assert "That invitation was already accepted." in text(response)
        assert not Connection.objects.exists()

    def test_someone_elses_invitation_is_404(self, member_client):
        invitation = InvitationFactory()

        for action in ("accept", "ignore", "withdraw"):
            url = reverse(f"accounts:invitation_{action}", args=[invitation.pk])
            assert member_client.post(url).status_code == 404
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.PENDING

    def test_sender_cannot_accept_their_own_invitation(self, member_client, member, other):
        invitation = InvitationFactory(sender=member, recipient=other)

        url = reverse("accounts:invitation_accept", args=[invitation.pk])
        assert member_client.post(url).status_code == 404
        assert not Connection.objects.exists()

    def test_ignore(self, member_client, member, other):
        invitation = InvitationFactory(sender=other, recipient=member)

        member_client.post(reverse("accounts:invitation_ignore", args=[invitation.pk]))

        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.IGNORED

    def test_withdraw_swaps_back_to_connect(self, member_client, member, other):
        invitation = InvitationFactory(sender=member, recipient=other)

        response = member_client.post(
            reverse("accounts:invitation_withdraw", args=[invitation.pk]), **HTMX
        )

        assert ">Connect</button>" in text(response)
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.WITHDRAWN


@pytest.mark.django_db
class TestRemoveAndBlock:
    def test_remove_connection(self, member_client, member, other):
        connect(member, other)

        response = member_client.post(reverse("accounts:connection_remove", args=[other.slug]))

        assert response.status_code == 302
        assert not Connection.objects.exists()

    def test_removing_a_non_connection_is_refused(self, member_client, other):
        response = member_client.post(reverse("accounts:connection_remove", args=[other.slug]))

        assert response.status_code == 409
        assert "You're not connected with" in text(response)

    def test_blocking_yourself_is_refused(self, member_client, member):
        response = member_client.post(reverse("accounts:block", args=[member.slug]))

        assert response.status_code == 400
        assert "You can't block yourself." in text(response)
        assert not Block.objects.exists()

    def test_block_hides_the_profile_and_ends_the_connection(self, member_client, member, other):
        connect(member, other)

        response = member_client.post(reverse("accounts:block", args=[other.slug]))

        assert response.status_code == 302
        assert Block.objects.filter(blocker=member, blocked=other).exists()
        assert not Connection.objects.exists()
        assert member_client.get(other.get_absolute_url()).status_code == 404


# Lists


@pytest.mark.django_db
class TestMyNetwork:
    def test_lists_received_sent_and_connections(self, member_client, member):
        inviter, invitee, friend = MemberFactory(), MemberFactory(), MemberFactory()
        InvitationFactory(sender=inviter, recipient=member, note="Met at PyCon")
        InvitationFactory(sender=member, recipient=invitee)
        connect(member, friend)

        response = member_client.get(reverse("accounts:my_network"))

        page = text(response)
        assert inviter.full_name in page
        assert "Met at PyCon" in page
        assert invitee.full_name in page
        assert friend.full_name in page
        assert 'Connections <span class="muted">(1)</span>' in page

    def test_shows_three_invitations_each_way_and_a_link_to_all(self, member_client, member):
        inviters = MemberFactory.create_batch(5)
        for inviter in inviters:
            InvitationFactory(sender=inviter, recipient=member)
        for invitee in MemberFactory.create_batch(4):
            InvitationFactory(sender=member, recipient=invitee)

        response = member_client.get(reverse("accounts:my_network"))

        assert len(response.context["inviters"]) == 3
        assert len(response.context["invitees"]) == 3
        page = text(response)
        assert 'Invitations <span class="muted">(5)</span>' in page
        assert 'href="?show=received">Show all 5 invitations</a>' in page
        assert 'href="?show=sent">Show all sent invitations</a>' in page

    def test_every_page_of_connections_shows_their_count(self, member_client, member):
        for friend in MemberFactory.create_batch(27):
            connect(member, friend)
        url = reverse("accounts:my_network")

        first, second = member_client.get(url), member_client.get(url, {"page": 2})

        assert len(first.context["page"].object_list) == 25
        assert len(second.context["page"].object_list) == 2
        for response in (first, second):
            assert 'Connections <span class="muted">(27)</span>' in text(response)

    def test_no_show_all_link_for_three_invitations(self, member_client, member):
        for inviter in MemberFactory.create_batch(3):
            InvitationFactory(sender=inviter, recipient=member)

        page = text(member_client.get(reverse("accounts:my_network")))

        assert "Show all" not in page

    @pytest.mark.parametrize(
        ("shown", "title"), [("received", "Invitations"), ("sent", "Sent invitations")]
    )
    def test_show_all_pages_through_every_invitation(self, member_client, member, shown, title):
        for other in MemberFactory.create_batch(27):
            if shown == "received":
                InvitationFactory(sender=other, recipient=member)
            else:
                InvitationFactory(sender=member, recipient=other)
        url = reverse("accounts:my_network")

        first = member_client.get(url, {"show": shown})
        second = member_client.get(url, {"show": shown, "page": 2})

        assert len(first.context["page"].object_list) == 25
        assert len(second.context["page"].object_list) == 2
        assert f"{title} invitations" in text(first) or f"{title} <span" in text(first)
        assert 'rel="next">Next</a>' in text(first)
        assert "page=2" in text(first)

    def test_top_bar_counts_pending_invitations(self, member_client, member):
        InvitationFactory.create_batch(2, recipient=member)

        assert 'aria-label="2 pending invitations"' in text(member_client.get(reverse("home")))


@pytest.mark.django_db
class TestSearch:
    url = reverse("accounts:search")

    def test_finds_members_by_name_and_headline(self, member_client):
        grace = MemberFactory(first_name="Grace", last_name="Hopper", headline="Rear admiral")
        MemberFactory(first_name="Alan", last_name="Turing", headline="Codebreaker")

        by_name = member_client.get(self.url, {"q": "hopper"}).context["page"].object_list
        by_headline = member_client.get(self.url, {"q": "admiral"}).context["page"].object_list

        assert [m.pk for m in by_name] == [grace.pk]
        assert [m.pk for m in by_headline] == [grace.pk]

    def test_rows_show_degree_and_buttons(self, member_client, member):
        friend = MemberFactory(last_name="Zed")
        connect(member, friend)
        MemberFactory(last_name="Zed-Other")

        page = text(member_client.get(self.url, {"q": "zed"}))

        assert "· 1st" in page
        assert "· 3rd+" in page
        assert ">Connect</button>" in page

    def test_paginates_25_a_page(self, member_client):
        MemberFactory.create_batch(30, headline="Gardener")

        first = member_client.get(self.url, {"q": "gardener"})
        second = member_client.get(self.url, {"q": "gardener", "page": 2})

        assert len(first.context["page"].object_list) == 25
        assert len(second.context["page"].object_list) == 5
        assert "Page 1 of 2" in text(first)
        # The page links keep the search.
        assert '<a class="btn btn--ghost" href="?q=gardener&page=2" rel="next">' in text(first)
        assert '<a class="btn btn--ghost" href="?q=gardener&page=1" rel="prev">' in text(second)

    def test_ranks_connections_first_and_shows_their_degree(self, member_client, member):
        stranger = MemberFactory(last_name="Aardvark", headline="Gardener")
        friend = MemberFactory(last_name="Zimmer", headline="Gardener")
        connect(member, friend)

        response = member_client.get(self.url, {"q": "gardener"})

        assert [m.pk for m in response.context["page"].object_list] == [friend.pk, stranger.pk]
        page = text(response)
        assert page.index("Zimmer") < page.index("· 1st") < page.index("Aardvark")

    def test_chips_link_to_each_degree_keeping_the_query(self, member_client):
        MemberFactory(headline="Gardener")

        page = text(member_client.get(self.url, {"q": "gardener", "page": 1}))

        start = page.index('<nav class="chips"')
        nav = page[start : page.index("</nav>", start)]
        assert 'href="?q=gardener" hx-get="?q=gardener"' in nav
        assert 'aria-current="true">All</a>' in nav
        for value, label in [("1", "1st"), ("2", "2nd"), ("3", "3rd+")]:
            assert f'href="?q=gardener&degree={value}"' in nav
            assert f">{label}</a>" in nav

    def test_a_chip_keeps_one_degree_with_its_count(self, member_client, member):
        friend = MemberFactory(headline="Gardener")
        connect(member, friend)
        MemberFactory.create_batch(2, headline="Gardener")

        first = member_client.get(self.url, {"q": "gardener", "degree": "1"})
        others = member_client.get(self.url, {"q": "gardener", "degree": "3"})

        assert [m.pk for m in first.context["page"].object_list] == [friend.pk]
        assert "1 result<" in text(first)
        assert 'aria-current="true">1st</a>' in text(first)
        assert len(others.context["page"].object_list) == 2
        assert "2 results" in text(others)
        # The next search from the box keeps the chip.
        assert '<input type="hidden" name="degree" value="3" form="search-form">' in text(others)

    def test_a_chip_with_no_match_says_so_and_links_to_everyone(self, member_client):
        MemberFactory(headline="Gardener")

        page = text(member_client.get(self.url, {"q": "gardener", "degree": "2"}))

        assert "None of your 2nd-degree connections match “gardener”." in page
        assert '<a href="?q=gardener">Search everyone</a>' in page

    def test_pages_within_a_chip(self, member_client):
        MemberFactory.create_batch(27, headline="Gardener")

        first = member_client.get(self.url, {"q": "gardener", "degree": "3"})
        second = member_client.get(self.url, {"q": "gardener", "degree": "3", "page": 2})

        assert "Page 1 of 2" in text(first)
        assert 'href="?q=gardener&degree=3&page=2" rel="next"' in text(first)
        assert len(second.context["page"].object_list) == 2
        # Choosing another chip starts again at the first page.
        assert 'href="?q=gardener&degree=1"' in text(second)

    def test_an_unknown_degree_shows_everyone(self, member_client):
        MemberFactory(headline="Gardener")

        response = member_client.get(self.url, {"q": "gardener", "degree": "7"})

        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 1
        assert 'aria-current="true">All</a>' in text(response)

    def test_counts_results_exactly_up_to_the_maximum(self, member_client, monkeypatch):
        monkeypatch.setattr(selectors, "SEARCH_RESULTS_MAX", 3)
        MemberFactory.create_batch(3, headline="Gardener")

        assert "3 results" in text(member_client.get(self.url, {"q": "gardener"}))

    def test_does_not_count_past_the_maximum(self, member_client, monkeypatch):
        monkeypatch.setattr(selectors, "SEARCH_RESULTS_MAX", 3)
        MemberFactory.create_batch(5, headline="Gardener")

        response = member_client.get(self.url, {"q": "gardener"})

        page = text(response)
        if connection.vendor == "postgresql":  # the planner's estimate, whatever it is
            assert "About " in page or "More than 3 results" in page
        else:
            assert "More than 3 results" in page
        assert response.context["page"].paginator.count == 3

    def test_a_page_past_the_last_match_says_so(self, member_client, monkeypatch):
        # The count can be the planner's estimate, which may promise more pages than match.
        monkeypatch.setattr(selectors._SearchQuery, "estimate", lambda self: 50_000)
        MemberFactory.create_batch(3, headline="Gardener")

        response = member_client.get(self.url, {"q": "gardener", "page": 2})

        assert response.status_code == 200
        if connection.vendor == "postgresql":
            assert "About 50,000 results" in text(response)
            assert "No more members match “gardener”." in text(response)
            assert 'href="?q=gardener">Back to the first results</a>' in text(response)
        else:  # counted: page 2 of 3 results is the last page, the first
            assert [m.headline for m in response.context["page"].object_list] == ["Gardener"] * 3

    def test_htmx_gets_only_the_results(self, member_client):
        MemberFactory(headline="Gardener")

        page = text(member_client.get(self.url, {"q": "gardener"}, HTTP_HX_REQUEST="true"))

        assert page.lstrip().startswith('<div id="results">')
        assert "<html" not in page
        assert '<nav class="chips"' in page  # the chips are swapped with the results

    def test_htmx_history_restore_gets_the_whole_page(self, member_client):
        MemberFactory(first_name="Grace", headline="Gardener")

        response = member_client.get(
            self.url,
            {"q": "gardener"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        )

        page = text(response)
        assert page.lstrip().startswith("<!doctype html>")
        assert '<div id="results">' in page
        assert "Grace" in page

    def test_page_and_results_vary_on_hx_request(self, member_client):
        full = member_client.get(self.url, {"q": "gardener"})
        results = member_client.get(self.url, {"q": "gardener"}, HTTP_HX_REQUEST="true")

        assert "HX-Request" in full["Vary"]
        assert "HX-Request" in results["Vary"]

    def test_blocked_members_are_not_found(self, member_client, member):
        BlockFactory(blocker=MemberFactory(headline="Gardener"), blocked=member)
        BlockFactory(blocker=member, blocked=MemberFactory(headline="Gardener"))

        response = member_client.get(self.url, {"q": "gardener"})

        assert list(response.context["page"].object_list) == []
        assert "No members match" in text(response)

    def test_empty_query_shows_a_hint(self, member_client):
        response = member_client.get(self.url)

        assert response.status_code == 200
        assert "Search for people by name" in text(response)


def reset_form_url(client, mailoutbox):
    """Ask for a reset email, follow its link, and return the new-password form's URL."""
    client.post(reverse("password_reset"), {"email": "ada@example.com"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    return client.get(link.strip(), follow=True).redirect_chain[-1][0]


@pytest.mark.django_db
class TestPasswords:
    def test_reset_link_sets_a_new_password(self, client, member, mailoutbox):
        response = client.post(
            reset_form_url(client, mailoutbox),
            {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
        )

        assert response.status_code == 302
        member.refresh_from_db()
        assert member.check_password("a-brand-new-passphrase")

    def test_mismatched_new_passwords_are_refused(self, client, member, mailoutbox):
        response = client.post(
            reset_form_url(client, mailoutbox),
            {"new_password1": "a-brand-new-passphrase", "new_password2": "something-else-entirely"},
        )

        assert response.status_code == 400
        assert "The two password fields didn’t match." in text(response)
        member.refresh_from_db()
        assert member.check_password(PASSWORD)

    def test_used_reset_link_says_so(self, client, member):
        response = client.get("/accounts/reset/MQ/set-password/")

        assert "This password reset link is invalid or has already been used." in text(response)

    def test_change_password(self, member_client, member):
        response = member_client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a-brand-new-passphrase",
                "new_password2": "a-brand-new-passphrase",
            },
        )

        assert response.status_code == 302
        member.refresh_from_db()
        assert member.check_password("a-brand-new-passphrase")

    def test_change_password_with_a_wrong_old_password_changes_nothing(self, member_client, member):
        response = member_client.post(
            reverse("password_change"),
            {
                "old_password": "wrong",
                "new_password1": "a-brand-new-passphrase",
                "new_password2": "a-brand-new-passphrase",
            },
        )

        assert response.status_code == 400
        assert "Your old password was entered incorrectly." in text(response)
        member.refresh_from_db()
        assert member.check_password(PASSWORD)


@pytest.mark.django_db
def test_home_counts_the_connections_my_network_lists(member_client, member):
    """Not a closed account's or a blocked member's: the count links to the list."""
    for _ in range(3):
        connect(member, MemberFactory())
    connect(member, MemberFactory(is_active=False))
    blocked = MemberFactory()
    connect(member, blocked)
    BlockFactory(blocker=member, blocked=blocked)

    page = member_client.get(reverse("home")).content.decode()

    assert re.search(r"<dt>Connections</dt><dd><a [^>]+>3</a></dd>", page)
