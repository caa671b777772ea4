"""Signed-in members answered by the edge cache (``X-Masthead-Cache: member-edge``).

Requests go through ``EdgeCache(WSGIHandler())`` as in production (see test_edge.py).
The edge answers a member only after Django served that page from a member variant in
the same process; it must give each member their own parts and meter, the headers
Django gives, a CSRF token that works, and send every session, user or request it is
not sure of to Django.
"""

from __future__ import annotations

import itertools
import re
from http.cookies import SimpleCookie

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from masthead.accounts.middleware import seen_key
from masthead.core.fragments import COMMENTS_EPOCH_KEY, SHARED_EPOCH_KEY
from masthead.core.page_cache import VERSION_KEY
from masthead.core.routing import RESTRICTIONS_EPOCH_KEY, SITES_EPOCH_KEY
from masthead.core.tests.test_edge import Answer, Wire
from masthead.metering.models import MeterView
from masthead.metering.services import COOKIE_NAME
from masthead.readinglist.models import SavedStory
from masthead.testing.personas import make_user

pytestmark = pytest.mark.django_db

EDGE = "member-edge"
_teachers = itertools.count()


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    monkeypatch.setattr("masthead.core.edge.close_old_connections", lambda: None)
    return Wire()


def signed_in(email: str, **extra: object) -> tuple[object, str]:
    """A member and the ``sessionid=…`` cookie of a session Django's login made."""
    user = make_user(email, **extra)
    client = Client()
    client.force_login(user)
    return user, f"sessionid={client.cookies['sessionid'].value}"


def arrived(wire: Wire, email: str, **extra: object) -> tuple[object, str]:
    """A member who signed in and opened the home page (Django recorded the session's
    activity, as for any member's first request)."""
    user, cookie = signed_in(email, **extra)
    wire.get("/", cookie)
    return user, cookie


def cache_marker(answer: Answer) -> str | None:
    return answer.headers.get("X-Masthead-Cache")


def taught(wire: Wire, url: str) -> None:
    """Two members read ``url`` through Django: the second is served from the member
    variant, which teaches the edge that page's headers."""
    n = next(_teachers)
    _u1, first = signed_in(f"first.teacher{n}@example.org")
    _u2, second = signed_in(f"second.teacher{n}@example.org")
    assert cache_marker(wire.get(url, first)) != EDGE
    assert cache_marker(wire.get(url, second)) == "member"


def test_third_member_comes_from_the_edge_with_their_own_parts_and_djangos_headers(
    wire, make_story
):
    story = make_story("Shared at the edge")
    _t1, teacher1 = signed_in("ann.teacher@example.org")
    _t2, teacher2 = signed_in("ben.teacher@example.org")
    wire.get(story.url, teacher1)
    django_answer = wire.get(story.url, teacher2)
    assert cache_marker(django_answer) == "member"
    carol, carol_cookie = arrived(wire, "carol.reader@example.org")
    answer = wire.get(story.url, carol_cookie)
    assert cache_marker(answer) == EDGE
    assert "carol.reader@example.org" in answer.body
    assert "ben.teacher@example.org" not in answer.body
    assert "ann.teacher@example.org" not in answer.body
    assert "1 / 10</span>" in answer.body
    assert "Third paragraph of story" in answer.body
    assert MeterView.objects.filter(reader_key=f"u:{carol.pk}").count() == 1
    # The same headers as Django's answer from the same variant, cookies and length aside.
    skip = {"Content-Length", "X-Masthead-Cache"}
    assert {k: v for k, v in answer.headers.items() if k not in skip} == {
        k: v for k, v in django_answer.headers.items() if k not in skip
    }
    assert "private" in answer.headers["Cache-Control"]
    assert int(answer.headers["Content-Length"]) == len(answer.body.encode())
    # A CSRF cookie is set and the page's token works with it (checks enforced).
    jar = SimpleCookie()
    for raw in answer.cookies:
        jar.load(raw)
    assert "csrftoken" in jar
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body).group(1)
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = carol_cookie.split("=", 1)[1]
    client.cookies["csrftoken"] = jar["csrftoken"].value
    saved = client.post(
        "/saved/add/", {"story_id": story.pk, "next": story.url, "csrfmiddlewaretoken": token}
    )
    assert saved.status_code in (302, 303)
    assert SavedStory.objects.filter(user=carol, story=story).exists()
    # Her next page shows it saved (the snapshot was renewed by the save).
    again = wire.get(story.url, carol_cookie)
    assert "Saved ✓ (remove)" in again.body
    assert MeterView.objects.filter(reader_key=f"u:{carol.pk}").count() == 1


def test_an_existing_csrf_cookie_is_kept(wire, make_story):
    story = make_story("Keeps the cookie")
    taught(wire, story.url)
    _dan, cookie = arrived(wire, "dan.reader@example.org")
    first = wire.get(story.url, cookie)
    jar = SimpleCookie()
    for raw in first.cookies:
        jar.load(raw)
    secret = jar["csrftoken"].value
    again = wire.get(story.url, f"{cookie}; csrftoken={secret}")
    assert cache_marker(again) == EDGE
    jar2 = SimpleCookie()
    for raw in again.cookies:
        jar2.load(raw)
    assert jar2["csrftoken"].value == secret


@override_settings(MASTHEAD_METER_MEMBER=2)
def test_member_meter_at_the_edge_is_exact_and_the_lead_in_has_no_gated_text(wire, make_story):
    stories = [make_story(f"Edge meter {n}") for n in range(3)]
    for story in stories:
        taught(wire, story.url)
    # The teachers used up their own meters on stories 0 and 1: both variants exist.
    erin, cookie = arrived(wire, "erin.reader@example.org")
    assert cache_marker(wire.get(stories[0].url, cookie)) == EDGE
    assert cache_marker(wire.get(stories[1].url, cookie)) == EDGE
    blocked = wire.get(stories[2].url, cookie)
    assert "2 / 2</span>" in blocked.body
    assert "Second paragraph" not in blocked.body
    assert "Third paragraph" not in blocked.body
    reread = wire.get(stories[0].url, cookie)
    assert cache_marker(reread) == EDGE and "Third paragraph" in reread.body
    assert MeterView.objects.filter(reader_key=f"u:{erin.pk}").count() == 2


@pytest.mark.parametrize(
    "case",
    [
        "password-changed",
        "inactive",
        "staff",
        "messages-cookie",
        "meter-cookie",
        "session-with-other-keys",
        "unknown-session",
        "signed-out",
        "activity-due",
    ],
)
def test_whatever_the_edge_is_not_sure_of_goes_to_django(wire, make_story, case):
    story = make_story("Careful edge")
    taught(wire, story.url)
    user, cookie = arrived(wire, "fay.reader@example.org", is_staff=case == "staff")
    if case != "staff":
        assert cache_marker(wire.get(story.url, cookie)) == EDGE
    if case == "password-changed":
        user.set_password("a-new-long-password-42")
        user.save()
    elif case == "inactive":
        user.is_active = False
        user.save()
    elif case == "messages-cookie":
        cookie += "; messages=anything"
    elif case == "meter-cookie":
        cookie += f"; {COOKIE_NAME}=anything"
    elif case == "session-with-other-keys":
        from django.contrib.sessions.backends.cached_db import SessionStore

        session = SessionStore(cookie.split("=", 1)[1])
        session["_messages"] = "[]"
        session.save()
    elif case == "unknown-session":
        cookie = "sessionid=doesnotexist0123456789abcdefghij"
    elif case == "signed-out":  # the edge knows this session's user from earlier requests
        from django.contrib.sessions.backends.cached_db import SessionStore

        SessionStore(cookie.split("=", 1)[1]).delete()
    elif case == "activity-due":
        cache.delete(seen_key(cookie.split("=", 1)[1]))
    answer = wire.get(story.url, cookie)
    assert cache_marker(answer) != EDGE
    assert answer.status.startswith("200")
    if case in ("password-changed", "inactive", "unknown-session", "signed-out"):
        # Django signed them out: no member page, no account links.
        assert "fay.reader@example.org" not in answer.body
        assert "Sign in" in answer.body
    if case == "activity-due":  # once it is recorded again, the edge serves again
        cache.set(seen_key(cookie.split("=", 1)[1]), 1, 60)
        assert cache_marker(wire.get(story.url, cookie)) == EDGE


@override_settings(MASTHEAD_EDGE_MEMBERS=False)
def test_members_at_the_edge_can_be_switched_off(make_story, monkeypatch):
    monkeypatch.setattr("masthead.core.edge.close_old_connections", lambda: None)
    wire = Wire()
    story = make_story("Switched off")
    taught(wire, story.url)
    _gil, cookie = arrived(wire, "gil.reader@example.org")
    assert cache_marker(wire.get(story.url, cookie)) == "member"


def test_a_member_signed_in_through_the_login_form_is_served_at_the_edge(wire, make_story):
    """allauth's password sign-in leaves its own keys in the session (how the member
    signed in); they do not keep the member from the edge."""
    from masthead.testing.personas import PASSWORD

    story = make_story("Signed in for real")
    taught(wire, story.url)
    hana = make_user("hana.reader@example.org")
    client = Client()
    client.post("/accounts/login/", {"login": hana.email, "password": PASSWORD})
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    wire.get("/", cookie)
    answer = wire.get(story.url, cookie)
    assert cache_marker(answer) == EDGE
    assert "hana.reader@example.org" in answer.body


POLLED = (
    VERSION_KEY,
    SITES_EPOCH_KEY,
    RESTRICTIONS_EPOCH_KEY,
    SHARED_EPOCH_KEY,
    COMMENTS_EPOCH_KEY,
)


def test_a_member_re_read_at_the_edge_is_one_cache_round_trip(wire, make_story, monkeypatch):
    """Once the edge has checked a session, its next page reads the session, the user,
    the snapshot, the activity key and the meter mirror in one ``get_many``; the checks
    still run on what it read."""
    story = make_story("One round trip")
    taught(wire, story.url)
    ivy, cookie = arrived(wire, "ivy.reader@example.org")
    assert cache_marker(wire.get(story.url, cookie)) == EDGE  # first check: learns the user
    calls: list[str] = []
    depth = [0]
    for name in ("get", "get_many", "set", "add", "set_many", "delete"):
        real = getattr(cache, name)

        def counted(*args, _real=real, _name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
            # Round trips only: the test cache's get_many calls get per key. The content
            # version and the epochs in the story key are polled apart (at most every
            # MASTHEAD_EDGE_POLL_SECONDS; 0 here).
            keys = args[0] if isinstance(args[0], (list, tuple)) else (args[0],)
            if depth[0] == 0 and not set(keys) <= set(POLLED):
                calls.append(_name)
            depth[0] += 1
            try:
                return _real(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, counted)
    answer = wire.get(story.url, cookie)
    assert cache_marker(answer) == EDGE
    assert "ivy.reader@example.org" in answer.body and "Third paragraph" in answer.body
    assert calls == ["get_many"]
    assert MeterView.objects.filter(reader_key=f"u:{ivy.pk}").count() == 1


def test_the_edge_checks_the_sessions_own_user_not_the_one_it_remembers(wire, make_story):
    """The remembered user only chooses what is read with the session: a session whose
    user differs from it is served as its own user (a wrong memory costs a round trip)."""
    story = make_story("Own user")
    taught(wire, story.url)
    jo, jo_cookie = arrived(wire, "jo.reader@example.org")
    kim, kim_cookie = arrived(wire, "kim.reader@example.org")
    assert cache_marker(wire.get(story.url, kim_cookie)) == EDGE
    jo_key = jo_cookie.split("=", 1)[1]
    wire.edge._session_users[jo_key] = kim.pk  # noqa: SLF001 - a wrong memory
    answer = wire.get(story.url, jo_cookie)
    assert cache_marker(answer) == EDGE
    assert "jo.reader@example.org" in answer.body
    assert "kim.reader@example.org" not in answer.body
    assert wire.edge._session_users[jo_key] == jo.pk  # noqa: SLF001
    assert MeterView.objects.filter(reader_key=f"u:{jo.pk}").count() == 1


def test_the_header_shows_the_members_chosen_name_everywhere(wire, make_story):
    """The header names the member by the name chosen on the account page (else the
    email), on Django's pages and the edge's, and the new name right after a change."""
    from masthead.accounts.services import set_display_name

    story = make_story("Named in the header")
    liz, liz_cookie = signed_in("liz.reader@example.org")
    set_display_name(liz, "Harbour Watcher")
    first = wire.get(story.url, liz_cookie)  # Django renders (and stores the variant)
    assert "Harbour Watcher</a>" in first.body
    _max, max_cookie = signed_in("max.reader@example.org")
    other = wire.get(story.url, max_cookie)
    assert cache_marker(other) == "member"
    assert "max.reader@example.org</a>" in other.body and "Harbour Watcher" not in other.body
    wire.get("/", liz_cookie)
    at_edge = wire.get(story.url, liz_cookie)
    assert cache_marker(at_edge) == EDGE
    assert "Harbour Watcher</a>" in at_edge.body and "max.reader" not in at_edge.body
    set_display_name(liz, "Quay <Watcher>")
    renamed = wire.get(story.url, liz_cookie)
    assert "Quay &lt;Watcher&gt;</a>" in renamed.body and "Harbour Watcher" not in renamed.body


def test_a_subscription_that_ends_stops_the_subscriber_pages_at_its_end(
    wire, make_story, monkeypatch
):
    """A period end passing sends no signal: the member's cached snapshot remembers the
    end, and from that moment the member gets the subscribers-only prompt, at the edge
    and from Django (found by a newcomer helper: up to 60 s of subscriber pages)."""
    from datetime import timedelta

    from django.utils import timezone

    from masthead.articles.models import AccessLevel
    from masthead.metering.models import Subscription, SubscriptionStatus

    story = make_story("For subscribers", access_level=AccessLevel.SUBSCRIBERS)
    start = timezone.now()
    subscribers = []
    for n in range(3):  # two teach the edge, the third is served there
        user, cookie = arrived(wire, f"subscriber{n}@example.org")
        Subscription.objects.create(
            user=user,
            status=SubscriptionStatus.ACTIVE,
            current_period_end=start + timedelta(hours=1),
        )
        subscribers.append(cookie)
    for cookie in subscribers:
        answer = wire.get(story.url, cookie)
        assert "Third paragraph" in answer.body
    assert cache_marker(answer) == EDGE
    later = start + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for cookie in subscribers:
        answer = wire.get(story.url, cookie)
        assert "Third paragraph" not in answer.body
        assert "This story is for subscribers" in answer.body
