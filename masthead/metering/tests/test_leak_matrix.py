"""The leak matrix: every route, every reader state, every kind of request.

Routes come from the URLconf itself (not a hand-kept list), with each path parameter
filled with the story, a comment on it, its section or its page path, so a route
added later is tried without anyone remembering to add it here. For each reader
state (anonymous fresh, anonymous with the allowance used up, member at 0, 9 and 10
of 10, subscriber, staff) and each kind of request (HEAD, prefetch GET, POST with an
invalid form, POST with a bad CSRF token, then GET), the gated paragraphs may appear
only when the reader is entitled without a meter (subscriber, staff) or the story is
counted on their meter, and only a plain GET may count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from masthead.articles.models import AccessLevel
from masthead.comments.models import Comment, CommentStatus
from masthead.metering.models import MeterView
from masthead.metering.services import period_start

SECRET = "Kestrel-ledger-gated-paragraph"
SKIP_PREFIXES = ("admin/", "documents/", "static/", "media/")
# Routes that end the reader's session (the reader state under test would be lost).
SESSION_ENDERS = ("accounts/logout/", "accounts/sessions/", "account/delete/")

# The kinds of request, in the order each route is tried: the reading GET goes last, so
# every other kind meets the story before it could have been counted.
KINDS = ("head", "prefetch", "post-invalid", "post-bad-csrf", "prefetch-purpose", "get")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _fill(route: str, story: Any, comment: Comment) -> str | None:
    """A concrete path for ``route`` about ``story``, or ``None`` if it takes no such args."""
    if route.startswith(SKIP_PREFIXES) or route in SESSION_ENDERS:
        return None
    if route.startswith("^"):  # Wagtail's page-serving regex: the story's own path
        return story.url

    def arg(match: re.Match[str]) -> str:
        conv, name = match.group(1) or "str", match.group(2)
        if conv == "int":
            return str(comment.pk if "comment" in name else story.pk)
        if conv == "path":
            return story.url.strip("/")
        if conv == "slug" or conv == "str":
            return story.get_parent().slug if "slug" in name else story.slug
        return story.slug

    if "(" in route or "[" in route:  # another regex route: not a story route
        return None
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", arg, route)


def story_routes(story: Any, comment: Comment) -> list[str]:
    urls = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        url = _fill(route, story, comment)
        if url is not None and url not in urls:
            urls.append(url)
    urls.remove(story.url)
    return [*urls, story.url]  # the story page last: see KINDS


def _views(client: Client) -> int:
    return client.get("/meter.json").json().get("views", 0) or 0


def _request(client: Client, kind: str, url: str) -> bytes:
    if kind == "head":
        return client.head(url).content
    if kind == "prefetch":
        return client.get(url, headers={"Sec-Purpose": "prefetch;prerender"}).content
    if kind == "prefetch-purpose":
        return client.get(url, headers={"Purpose": "prefetch", "X-Moz": "prefetch"}).content
    if kind == "post-invalid":
        return client.post(url, {"body": ""}).content
    if kind == "post-bad-csrf":
        client.handler.enforce_csrf_checks = True
        try:
            return client.post(url, {"body": "", "csrfmiddlewaretoken": "bad"}).content
        finally:
            client.handler.enforce_csrf_checks = False
    return client.get(url).content


STATES = (
    "anonymous",
    "anonymous-used-up",
    "member-0",
    "member-9",
    "member-10",
    "subscriber",
    "staff",
)


@pytest.mark.parametrize("state", STATES)
def test_gated_text_only_for_the_entitled_or_counted(
    state, make_story, alice, bob, carol, signed_in
):
    story = make_story(
        access_level=AccessLevel.METERED,
        paragraphs=["The free opening paragraph.", f"{SECRET} one.", f"{SECRET} two."],
    )
    comment = Comment.objects.create(
        story=story,
        author=carol,
        body="A published comment that replies can hang from.",
        status=CommentStatus.PUBLISHED,
        created_at=timezone.now(),
    )
    unlimited = state in ("subscriber", "staff")
    user = {"subscriber": bob, "staff": carol}.get(state, alice if "member" in state else None)
    client = signed_in(user) if user is not None else Client()
    if state == "anonymous-used-up":
        for _ in range(3):
            client.get(make_story().url)
    if state in ("member-9", "member-10"):
        n = int(state.split("-")[1])
        MeterView.objects.bulk_create(
            MeterView(reader_key=f"u:{alice.pk}", period=period_start(), story_id=10_000 + i)
            for i in range(n)
        )
    urls = story_routes(story, comment)
    assert len(urls) > 5 and any("/post/" in u for u in urls)
    signed_in_as = client.session.get("_auth_user_id")
    shown_somewhere = counted = False
    for url in urls:
        for kind in KINDS:
            before = _views(client)
            body = _request(client, kind, url)
            after = _views(client)
            assert client.session.get("_auth_user_id") == signed_in_as, f"{kind} {url}"
            if kind != "get":
                assert after == before, f"{state} {kind} {url} used a free story"
            elif after > before:
                counted = True  # only a plain GET of the story itself may count
                assert url == story.url, f"{url} counted a read"
            if SECRET.encode() in body:
                shown_somewhere = True
                assert unlimited or counted, (
                    f"gated text for {state} on {kind} {url} without entitlement or count"
                )
    # A control that the matrix can see the text at all: the entitled and the ones
    # with allowance left get the story in full on the reading GET.
    expected = state not in ("anonymous-used-up", "member-10")
    assert shown_somewhere is expected
