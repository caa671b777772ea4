"""Members' story pages from cached variants: each member gets their own name, save
state, meter, CSRF token and nonces; nobody gets another member's page."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, override_settings
from django.utils import timezone

from masthead.articles.models import AccessLevel
from masthead.comments.models import Comment
from masthead.core.member_pages import generalize
from masthead.metering.models import MeterView
from masthead.readinglist.models import SavedStory
from masthead.testing.personas import make_user

pytestmark = pytest.mark.django_db


def member(email: str, *, csrf: bool = False, **extra: object) -> tuple[object, Client]:
    user = make_user(email, **extra)
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return user, client


def test_second_member_gets_the_cached_variant_with_their_own_parts(make_story):
    story = make_story("Shared by members")
    alice, a = member("alice@example.org")
    bob_user, b = member("bob.reader@example.org", csrf=True)
    first = a.get(story.url)
    assert first.get("X-Masthead-Cache") != "member"
    page = b.get(story.url)
    html = page.content.decode()
    assert page["X-Masthead-Cache"] == "member"
    assert "bob.reader@example.org" in html
    assert "alice@example.org" not in html
    assert "1 / 10</span>" in html
    assert "Third paragraph of story" in html
    assert "private" in page["Cache-Control"]
    assert MeterView.objects.filter(reader_key=f"u:{bob_user.pk}").count() == 1
    # Bob's CSRF token from the cached page works for Bob (CSRF checks enforced).
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    saved = b.post(
        "/saved/add/", {"story_id": story.pk, "next": story.url, "csrfmiddlewaretoken": token}
    )
    assert saved.status_code in (302, 303)
    assert SavedStory.objects.filter(user=bob_user, story=story).exists()
    # ...and his next page shows it saved; every comment form has a fresh nonce.
    again = b.get(story.url).content.decode()
    assert "Saved ✓ (remove)" in again
    nonces = re.findall(r'name="nonce" value="([^"]+)"', again)
    assert nonces and "--masthead" not in again
    assert set(nonces).isdisjoint(re.findall(r'name="nonce" value="([^"]+)"', html))


def test_member_with_their_own_comment_on_the_story_gets_a_full_render(make_story):
    story = make_story("Discussed")
    _alice, a = member("alice@example.org")
    carl, c = member("carl.commenter@example.org")
    a.get(story.url)
    Comment.objects.create(
        story=story,
        author=carl,
        author_name="Carl",
        body="My own words here.",
        status="pending",
        created_at=timezone.now(),
    )
    page = c.get(story.url)
    assert page.get("X-Masthead-Cache") != "member"
    assert "My own words here." in page.content.decode()  # their pending comment


@override_settings(MASTHEAD_METER_MEMBER=1)
def test_used_up_member_meter_gets_the_lead_in_from_the_cache(make_story):
    one, two = make_story("One"), make_story("Two")
    _a_user, a = member("alice@example.org")
    b_user, b = member("bob.reader@example.org")
    a.get(one.url)
    a.get(two.url)  # Django renders the member lead-in of story two
    b.get(one.url)
    page = b.get(two.url)
    html = page.content.decode()
    assert page["X-Masthead-Cache"] == "member"
    assert "Lead paragraph of story" in html
    assert "Second paragraph" not in html and "Third paragraph" not in html
    assert "Subscribe for unlimited reading" in html
    assert MeterView.objects.filter(reader_key=f"u:{b_user.pk}").count() == 1


def test_staff_and_readers_with_messages_are_always_rendered(make_story, rf):
    story = make_story("Staff view", access_level=AccessLevel.FREE)
    _a, a = member("alice@example.org")
    a.get(story.url)
    _s, staff = member("sam.staff@example.org", is_staff=True)
    assert staff.get(story.url).get("X-Masthead-Cache") != "member"
    _b, b = member("bob.reader@example.org")
    # A pending flash message must be shown on the page, so no cached page for it.
    storage = CookieStorage(rf.get("/"))
    storage.add(constants.INFO, "Your settings were saved.")
    carrier = HttpResponse()
    storage.update(carrier)
    b.cookies["messages"] = carrier.cookies["messages"].value
    page = b.get(story.url)
    assert page.get("X-Masthead-Cache") != "member"
    assert "Your settings were saved." in page.content.decode()


def test_subscriber_reads_in_full_with_the_subscriber_line(make_story):
    from masthead.metering.models import Subscription

    story = make_story("For subscribers", access_level=AccessLevel.SUBSCRIBERS)
    first, f = member("sub.one@example.org")
    Subscription.objects.create(user=first, plan="digital")
    f.get(story.url)
    second, s = member("sub.two@example.org")
    Subscription.objects.create(user=second, plan="digital")
    page = s.get(story.url)
    html = page.content.decode()
    assert page["X-Masthead-Cache"] == "member"
    assert "Subscriber: unlimited stories" in html and "Third paragraph" in html
    assert "sub.two@example.org" in html and "sub.one@example.org" not in html


def test_generalize_refuses_a_page_that_still_names_the_member():
    user = make_user("dora@example.org")
    body = (
        "<!--m:nav-->dora@example.org<!--/m:nav--><!--m:save-->x<!--/m:save-->"
        "<p>Comment by dora@example.org</p>"
    )
    assert generalize(body, user) is None
    clean = "<!--m:nav-->dora@example.org<!--/m:nav--><!--m:save-->x<!--/m:save--><p>News</p>"
    assert (
        generalize(clean, user) == "<!--m:nav--><!--/m:nav--><!--m:save--><!--/m:save--><p>News</p>"
    )


@pytest.mark.parametrize("slot", ["--masthead-csrf-slot--", "--masthead-nonce-slot--"])
def test_slot_text_in_a_comment_never_carries_a_readers_token(make_story, slot):
    """A reader may write a slot's text in a comment (it survives escaping): the page is
    then never shared, so no member's CSRF token lands in that reader's link."""
    story = make_story("Linked")
    mallory, _m = member("mallory@example.org")
    Comment.objects.create(
        story=story,
        author=mallory,
        author_name="Mallory",
        body=f"The timetable is at https://example.net/t?ref={slot} for anyone who wants it.",
        status="published",
        created_at=timezone.now(),
    )
    _alice, a = member("alice@example.org")
    _bob, b = member("bob.reader@example.org")
    a.get(story.url)
    for _ in range(2):
        page = b.get(story.url)
        html = page.content.decode()
        assert page.get("X-Masthead-Cache") != "member"
        assert f"ref={slot}" in html  # the comment exactly as written
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        assert f"ref={token}" not in html
    user = make_user("dora@example.org")
    body = f"<!--m:nav-->x<!--/m:nav--><!--m:save-->x<!--/m:save--><p>{slot}</p>"
    assert generalize(body, user) is None


@pytest.mark.parametrize("kind", ["password", "groups"])
def test_password_and_group_restricted_stories_are_never_shared_between_members(
    make_story, world, kind
):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    story = make_story("Behind a restriction")
    editors = Group.objects.create(name="Desk")
    restriction = PageViewRestriction.objects.create(
        page=world, restriction_type=kind, password="pw-secret-123" if kind == "password" else ""
    )
    if kind == "groups":
        restriction.groups.add(editors)
    insider, a = member("insider@example.org")
    outsider_user, b = member("outsider@example.org")
    if kind == "password":
        a.post(
            f"/_util/authenticate_with_password/{restriction.pk}/{story.pk}/",
            {"password": "pw-secret-123", "return_url": story.url},
        )
    else:
        insider.groups.add(editors)
    for _ in range(2):  # the insider reads it in full, twice
        inside = a.get(story.url)
        assert inside.status_code == 200
        assert "Third paragraph of story" in inside.content.decode()
        assert inside.get("X-Masthead-Cache") != "member"
    outside = b.get(story.url)
    assert "Third paragraph of story" not in outside.content.decode()
    assert outside.get("X-Masthead-Cache") != "member"


def test_account_links_come_with_the_snapshot_and_follow_a_name_change(make_story):
    """A member's first page in a process puts in the account links rendered with their
    snapshot (no template render per process); a new display name shows at once."""
    from unittest import mock

    from masthead.accounts.models import Profile
    from masthead.core import member_pages

    story = make_story("Links from the snapshot")
    _alice, a = member("alice.links@example.org")
    a.get(story.url)  # stores the member variant
    carol, c = member("carol.links@example.org")
    assert "carol.links@example.org" in member_pages.member_snapshot(carol).nav
    real_render = member_pages._render

    def no_nav(name, context):  # noqa: ANN001, ANN202
        assert name != "includes/account_nav.html", "the account links were rendered again"
        return real_render(name, context)

    member_pages._parts.clear()
    with mock.patch.object(member_pages, "_render", side_effect=no_nav):
        page = c.get(story.url)
    assert page["X-Masthead-Cache"] == "member"
    html = page.content.decode()
    assert 'class="account-name"' in html and "carol.links@example.org" in html
    assert member_pages.CSRF_SLOT not in html
    profile, _ = Profile.objects.get_or_create(user=carol)
    profile.display_name = "Carol Linkwriter"
    profile.save()
    renamed = c.get(story.url).content.decode()
    assert "Carol Linkwriter" in renamed
