"""The edge cache (masthead.core.edge) in front of the real Django WSGI handler.

Each request goes through ``EdgeCache(WSGIHandler())`` exactly as ``masthead.wsgi``
builds it, so the tests show what a reader on the wire receives: which requests the
edge answers, that its bytes equal Django's, that the meter stays exact and that no
reader ever gets another reader's or another entitlement's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, TestCase, override_settings

from masthead.articles.models import AccessLevel
from masthead.core.edge import EdgeCache
from masthead.metering.models import MeterView
from masthead.metering.services import COOKIE_NAME

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: str
    headers: dict[str, str]
    cookies: list[str]
    body: str

    @property
    def from_edge(self) -> bool:
        return self.headers.get("X-Masthead-Cache") == "edge"

    def meter_cookie(self) -> str | None:
        for raw in self.cookies:
            jar = SimpleCookie(raw)
            if COOKIE_NAME in jar:
                return jar[COOKIE_NAME].value
        return None


class Wire:
    """Sends requests through the edge and, for comparison, straight to Django."""

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.edge = EdgeCache(self.django)
        self.rf = RequestFactory()

    def _call(self, app, method: str, path: str, cookie: str = "", **headers: str) -> Answer:  # noqa: ANN001
        extra = {"HTTP_COOKIE": cookie} if cookie else {}
        extra.update(headers)
        environ = self.rf.generic(method, path, **extra).environ
        seen: dict[str, object] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):  # noqa: ANN001, ANN202
            seen["status"], seen["headers"] = status, headers

        # As Django's test client does: the test's transaction stays open (no connection
        # closing between requests) and on-commit work (the meter mirror) runs at once.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                body = b"".join(app(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        headers = seen["headers"]
        return Answer(
            str(seen["status"]),
            {k: v for k, v in headers if k.lower() != "set-cookie"},
            [v for k, v in headers if k.lower() == "set-cookie"],
            body.decode(),
        )

    def get(self, path: str, cookie: str = "", method: str = "GET", **headers: str) -> Answer:
        return self._call(self.edge, method, path, cookie, **headers)

    def direct(self, path: str, cookie: str = "") -> Answer:
        return self._call(self.django, "GET", path, cookie)


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    # The edge closes stale connections around its own queries; inside a test's
    # transaction that would end the test's transaction.
    monkeypatch.setattr("masthead.core.edge.close_old_connections", lambda: None)
    return Wire()


def test_free_story_is_answered_by_the_edge_with_djangos_bytes(wire, make_story):
    story = make_story("Free for all", access_level=AccessLevel.FREE)
    first = wire.get(story.url)
    assert first.status.startswith("200") and not first.from_edge
    second = wire.get(story.url)
    assert second.from_edge
    assert second.body == first.body
    assert "Third paragraph of story" in second.body


def test_metered_rereads_come_from_the_edge_with_the_readers_own_meter(wire, make_story):
    story = make_story("Metered news")
    first = wire.get(story.url)  # Django: starts the meter, renders, stores the variant
    cookie = f"{COOKIE_NAME}={first.meter_cookie()}"
    assert not first.from_edge and first.meter_cookie()
    again = wire.get(story.url, cookie)
    assert again.from_edge
    assert "1 / 3</span> free stories this month" in again.body
    assert "Third paragraph of story" in again.body
    assert again.headers["Cache-Control"] == "private"
    assert "Cookie" in again.headers["Vary"]
    assert not again.cookies  # a known reader gets no new cookie
    # Byte for byte what Django renders for the same reader (a re-read).
    assert again.body == wire.direct(story.url, cookie).body
    assert MeterView.objects.count() == 1


def test_new_reader_at_the_edge_is_counted_once_and_gets_a_working_cookie(wire, make_story):
    story = make_story("Breaking")
    wire.get(story.url)  # the first reader makes Django render the full variant
    newcomer = wire.get(story.url)
    assert newcomer.from_edge
    meter_id = newcomer.meter_cookie().split(":")[0]
    assert MeterView.objects.filter(reader_key=f"a:{meter_id}").count() == 1
    # Django reads the same meter from that cookie: a re-read, not a second count.
    cookie = f"{COOKIE_NAME}={newcomer.meter_cookie()}"
    assert "1 / 3</span>" in wire.direct(story.url, cookie).body
    assert MeterView.objects.filter(reader_key=f"a:{meter_id}").count() == 1


@override_settings(MASTHEAD_METER_ANONYMOUS=2)
def test_used_up_meter_gets_the_lead_in_and_no_gated_text(wire, make_story):
    stories = [make_story(f"Story {n}") for n in range(3)]
    # A first reader uses up the meter; Django renders the lead-in variant of story 2.
    first = wire.get(stories[0].url)
    cookie = f"{COOKIE_NAME}={first.meter_cookie()}"
    wire.get(stories[1].url, cookie)
    blocked = wire.get(stories[2].url, cookie)
    assert "You have read all your free stories" in blocked.body
    # A second reader does the same; their third story now comes from the edge.
    other = wire.get(stories[0].url)
    other_cookie = f"{COOKIE_NAME}={other.meter_cookie()}"
    wire.get(stories[1].url, other_cookie)
    edge_blocked = wire.get(stories[2].url, other_cookie)
    assert edge_blocked.from_edge
    assert "You have read all your free stories" in edge_blocked.body
    assert "Lead paragraph of story" in edge_blocked.body
    assert "Second paragraph" not in edge_blocked.body
    assert "Third paragraph" not in edge_blocked.body
    assert "2 / 2</span>" in edge_blocked.body
    # Re-reads of the two counted stories still come in full, from the edge.
    reread = wire.get(stories[0].url, other_cookie)
    assert reread.from_edge and "Third paragraph" in reread.body
    assert (
        MeterView.objects.filter(reader_key=f"a:{other.meter_cookie().split(':')[0]}").count() == 2
    )


def test_tampered_or_malformed_cookie_is_a_fresh_meter(wire, make_story):
    story = make_story("Tamper test")
    good = wire.get(story.url).meter_cookie()
    meter_id, rest = good.split(":", 1)
    forged = ("0" * 32) + ":" + rest
    for bad in (forged, "garbage", "::::", "x" * 4000):
        answer = wire.get(story.url, f"{COOKIE_NAME}={bad}")
        assert answer.status.startswith("200")
        assert answer.meter_cookie() and answer.meter_cookie() != bad
        assert "1 / 3</span>" in answer.body
    assert not MeterView.objects.filter(reader_key="a:" + "0" * 32).exists()


def test_signed_in_readers_and_other_methods_never_get_edge_answers(
    wire, make_story, django_user_model
):
    story = make_story("Members too", access_level=AccessLevel.FREE)
    wire.get(story.url)
    assert wire.get(story.url).from_edge
    with_session = wire.get(story.url, "sessionid=abc123")
    assert not with_session.from_edge
    with_messages = wire.get(story.url, "messages=xyz")
    assert not with_messages.from_edge
    head = wire.get(story.url, method="HEAD")
    assert not head.from_edge
    post = wire.get(story.url, method="POST")
    assert not post.from_edge


def test_an_edit_is_visible_on_the_next_request(wire, make_story):
    story = make_story("Before the edit")
    wire.get(story.url)
    assert wire.get(story.url).from_edge
    story.title = "After the edit"
    story.save_revision().publish()
    answer = wire.get(story.url)
    assert "After the edit" in answer.body and "Before the edit" not in answer.body


def test_access_level_change_is_never_served_from_an_old_variant(wire, make_story):
    story = make_story("Going behind the wall")
    first = wire.get(story.url)
    wire.get(story.url)  # the edge now holds the full variant
    story.access_level = AccessLevel.SUBSCRIBERS
    story.save_revision().publish()
    cookie = f"{COOKIE_NAME}={first.meter_cookie()}"
    for _ in range(2):
        answer = wire.get(story.url, cookie)
        assert "This story is for subscribers" in answer.body
        assert "Third paragraph" not in answer.body


def test_deleted_meter_rows_are_never_served_from_the_mirror(wire, make_story):
    story = make_story("Counted then reset")
    first = wire.get(story.url)
    cookie = f"{COOKIE_NAME}={first.meter_cookie()}"
    assert wire.get(story.url, cookie).from_edge
    MeterView.objects.all().delete()  # e.g. an editor resets the reader's meter
    answer = wire.get(story.url, cookie)
    assert "1 / 3</span>" in answer.body
    assert MeterView.objects.count() == 1  # counted again, from the database


def test_changed_meter_limits_reach_the_edge(wire, make_story, django_capture_on_commit_callbacks):
    from wagtail.models import Site

    from masthead.metering.models import MeterSettings

    story = make_story("Limits change")
    first = wire.get(story.url)
    cookie = f"{COOKIE_NAME}={first.meter_cookie()}"
    assert "1 / 3</span>" in wire.get(story.url, cookie).body
    limits = MeterSettings.for_site(Site.objects.get(is_default_site=True))
    limits.anonymous_limit = 5
    with django_capture_on_commit_callbacks(execute=True):  # pages move on after the commit
        limits.save()
    assert "1 / 5</span>" in wire.get(story.url, cookie).body


def test_one_render_per_page_when_many_readers_miss_at_once(db):
    """Single flight: 8 concurrent readers of a page nobody has rendered yet cause one
    call into Django; the other seven get the stored page."""
    import threading
    import time as _time

    from django.core.cache import cache

    from masthead.core.page_cache import PAGE, content_version, page_key

    calls = []

    def django_app(environ, start_response):  # noqa: ANN001, ANN202
        calls.append(1)
        _time.sleep(0.2)  # a slow render
        key = page_key(content_version(), "GET", environ)
        cache.set(key, (PAGE, 200, [("Content-Type", "text/html")], b"rendered"))
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"rendered"]

    edge = EdgeCache(django_app)
    environ = RequestFactory().get("/breaking/").environ
    bodies = []

    def reader() -> None:
        out = edge(dict(environ), lambda status, headers, exc_info=None: None)
        bodies.append(b"".join(out))

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bodies == [b"rendered"] * 8
    assert len(calls) == 1


def test_another_storys_publish_leaves_a_story_page_cached(wire, make_story):
    """Issue 7: a publish re-renders the pages that list stories, not every story page.
    Story A stays served by the edge (from its stored variant, checked against A's own
    stamps) while the home page shows the new story B at once."""
    story = make_story("Story that stays cached")
    wire.get(story.url)
    assert wire.get(story.url).from_edge
    wire.get("/")
    newer = make_story("A newer story arrives")  # published: a new content version
    answer = wire.get(story.url)
    assert answer.from_edge
    assert "Story that stays cached" in answer.body
    assert "A newer story arrives" in wire.get("/").body
    # A comment on the other story changes only that story's page.
    from masthead.core.page_cache import content_changed

    with TestCase.captureOnCommitCallbacks(execute=True):
        content_changed((), [newer.pk])
    assert wire.get(story.url).from_edge
    assert not wire.get(newer.url).from_edge


def test_a_comment_change_on_a_story_renders_that_story_again(wire, make_story):
    from masthead.core.page_cache import content_changed

    story = make_story("Discussed story")
    wire.get(story.url)
    assert wire.get(story.url).from_edge
    with TestCase.captureOnCommitCallbacks(execute=True):
        content_changed((), [story.pk])
    assert not wire.get(story.url).from_edge  # its thread may have changed: Django renders
    assert wire.get(story.url).from_edge


def test_a_page_stored_by_a_render_from_before_an_edit_is_never_served(wire, make_story):
    """A render that read the story before an edit and stores its page afterwards (a slow
    render racing the publish) leaves a pointer with the old stamps: never used."""
    from django.core.cache import cache

    from masthead.core.page_cache import find_entry, reset_local, story_page_key

    story = make_story("Old headline")
    wire.get(story.url)
    environ = wire.rf.get(story.url).environ
    key = story_page_key(environ)
    old_pointer = cache.get(key)
    assert old_pointer is not None and find_entry(environ)[1] == old_pointer
    story.title = "New headline"
    story.save_revision().publish()
    fresh = wire.get(story.url)
    assert "New headline" in fresh.body and not fresh.from_edge
    cache.set(key, old_pointer)  # the late store of the slow render
    reset_local()
    assert find_entry(environ)[1] is None
    answer = wire.get(story.url)
    assert "New headline" in answer.body and "Old headline" not in answer.body


def test_a_section_renamed_shows_on_its_cached_stories(wire, make_story, world):
    story = make_story("Story in a renamed section")
    wire.get(story.url)
    assert wire.get(story.url).from_edge
    world.title = "Planet"
    with TestCase.captureOnCommitCallbacks(execute=True):
        world.save_revision().publish()
    answer = wire.get(story.url)
    assert not answer.from_edge and "Planet" in answer.body


@pytest.mark.parametrize(
    "query",
    ["utm_source=newsletter", "page=2&x=1", "z" * 65_000, "sort=" + "n" * 200],
)
def test_pages_with_other_query_strings_are_rendered_and_never_stored(wire, make_story, query):
    """Unknown parameters or a long query string: each request is rendered for itself and
    nothing is looked up or stored, so requests cannot fill the cache (found by a
    newcomer helper: 100 requests with a 65 KB query string added 100 MB to Redis)."""
    from django.core.cache import cache

    story = make_story("Query strings", access_level=AccessLevel.FREE)

    def pages() -> set[str]:  # locmem keys of stored pages and story variants
        return {k for k in cache._cache if ":masthead:page:" in k}

    before = pages()
    for path in ("/", story.url):
        for _ in range(2):
            answer = wire.get(f"{path}?{query}")
            assert answer.status.startswith("200") and not answer.from_edge
            assert "X-Masthead-Cache" not in answer.headers
    assert pages() == before
    assert wire.get("/?page=2").status.startswith("200")
    assert wire.get("/?page=2").from_edge  # the parameters pages read are still cached


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_X_MOZ": "prefetch"},
    ],
)
def test_prefetches_at_the_edge_never_count_and_are_declined(wire, make_story, header):
    story = make_story("Prefetched")
    first = wire.get(story.url)  # a real read: counted, the full variant stored
    cookie = f"{COOKIE_NAME}={first.meter_cookie()}"
    other = make_story("Hovered, never opened")
    wire.get(other.url, cookie)  # Django renders and stores this story's variants
    MeterView.objects.filter(story_id=other.pk).delete()  # as if never read by anyone
    from masthead.metering.services import forget_mirror

    forget_mirror(f"a:{first.meter_cookie().split(':')[0]}")
    before = MeterView.objects.count()
    prefetched = wire.get(other.url, cookie, **header)
    assert not prefetched.from_edge  # Django decides, without counting
    assert MeterView.objects.count() == before
    # Declined (non-2xx, never stored), so the browser loads the story on the click.
    assert prefetched.status.startswith("503")
    assert "no-store" in prefetched.headers["Cache-Control"]
    assert "paragraph of story" not in prefetched.body
    # A stranger's prefetch neither starts a meter nor is served the full variant.
    stranger = wire.get(other.url, **header)
    assert stranger.status.startswith("503") and not stranger.meter_cookie()
    assert "Third paragraph of story" not in stranger.body
    assert MeterView.objects.count() == before
    # The click that follows is a normal read: counted, in full.
    opened = wire.get(other.url, cookie)
    assert opened.status.startswith("200") and "Third paragraph of story" in opened.body
    assert MeterView.objects.count() == before + 1


def test_a_prefetch_of_a_story_the_reader_may_read_anyway_is_answered(wire, make_story):
    story = make_story("Read already")
    first = wire.get(story.url)  # counted
    cookie = f"{COOKIE_NAME}={first.meter_cookie()}"
    again = wire.get(story.url, cookie, HTTP_SEC_PURPOSE="prefetch")
    assert again.status.startswith("200") and "Third paragraph of story" in again.body
