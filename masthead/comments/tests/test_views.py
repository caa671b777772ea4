"""Views: sign-in redirect back to the thread, CSRF, 404/400, rejected text kept, JSON."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from masthead.comments import actions
from masthead.comments.models import Comment, CommentStatus
from masthead.moderation.guidelines.base import Decision, ReasonCode

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def post_url(story):
    return reverse("comments:post", args=[story.pk])


def test_anonymous_sees_comments_and_sign_in_prompt_returning_to_thread(client, alice, story):
    actions.post_comment(alice, story, "A published comment for everyone.")
    html = client.get(story.url).content.decode()
    assert 'id="comments"' in html and "data-nosnippet" in html
    assert "A published comment for everyone." in html
    assert 'Comments <span class="comments__count" data-comment-count>(1)</span>' in html
    assert "<textarea" not in html
    login = reverse("account_login") + "?next=" + "%2Fworld%2F" + story.slug + "%2F%23comments"
    assert login in html


def test_anonymous_post_redirects_to_login_with_next_to_thread(client, story):
    r = client.post(post_url(story), {"body": "Hello."})
    assert r.status_code == 302
    url = urlparse(r["Location"])
    assert url.path == reverse("account_login")
    assert parse_qs(url.query)["next"] == [story.url + "#comments"]
    assert not Comment.objects.exists()
    r = client.post(post_url(story), {"body": "Hello."}, **JSON)
    assert r.status_code == 401 and r.json()["login_url"].startswith(reverse("account_login"))


def test_csrf_is_enforced(alice, story):
    c = Client(enforce_csrf_checks=True)
    c.force_login(alice)
    r = c.post(post_url(story), {"body": "Forged comment."})
    assert r.status_code == 403
    assert not Comment.objects.exists()


def test_member_post_redirects_to_the_comment_with_message(alice_client, story):
    r = alice_client.post(
        post_url(story), {"body": "Good reporting on the floods.", "nonce": "n1"}, follow=True
    )
    c = Comment.objects.get()
    assert r.redirect_chain[-1][0] == f"{story.url}#comment-{c.pk}"
    html = r.content.decode()
    assert "Your comment is published." in html and "Good reporting on the floods." in html


def test_rejected_post_rerenders_story_with_text_and_message(alice_client, story, engine):
    engine.set(Decision.REJECT, ReasonCode.NOT_ENGLISH, "Please write your comment in English.")
    text = "Sarkar ko kuch karna chahiye yaar, bahut bura haal hai."
    r = alice_client.post(post_url(story), {"body": text, "nonce": "n1"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "Please write your comment in English." in html
    assert f">{text}</textarea>" in html
    assert 'name="nonce" value="n1"' not in html  # a fresh nonce for the fixed text
    assert Comment.objects.get().status == CommentStatus.REJECTED


def test_held_post_tells_writer_and_shows_it_only_to_them(alice_client, client, bob, story, engine):
    engine.set(Decision.HOLD, ReasonCode.PERSONAL_ATTACK, "Personal remark.")
    r = alice_client.post(
        post_url(story), {"body": "Bob, you are a fool.", "nonce": "n1"}, follow=True
    )
    html = r.content.decode()
    assert (
        "awaiting review" in html
        and "Bob, you are a fool." in html
        and "only you can see this" in html
    )
    other = Client()
    other.force_login(bob)
    assert "Bob, you are a fool." not in other.get(story.url).content.decode()


def test_escaped_script_in_textarea_on_rejection(alice_client, story, engine):
    engine.set(Decision.REJECT, ReasonCode.NOT_SENTENCES, "Full sentences, please.")
    r = alice_client.post(post_url(story), {"body": "</textarea><script>alert(1)</script>"})
    html = r.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html


def test_reply_unknown_comment_is_404(alice_client):
    assert (
        alice_client.post(reverse("comments:reply", args=[999999]), {"body": "Hi."}).status_code
        == 404
    )


def test_reply_to_deleted_comment_is_400_with_text_kept(alice_client, bob, story):
    top = actions.post_comment(bob, story, "Soon to be deleted.").comment
    actions.delete_own_comment(bob, top)
    r = alice_client.post(reverse("comments:reply", args=[top.pk]), {"body": "My careful reply."})
    assert r.status_code == 400
    html = r.content.decode()
    assert "no longer available" in html and "My careful reply.</textarea>" in html
    r = alice_client.post(
        reverse("comments:reply", args=[top.pk]), {"body": "My careful reply."}, **JSON
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_parent"
    assert Comment.objects.count() == 1


def test_reply_appears_nested(alice_client, bob, story):
    top = actions.post_comment(bob, story, "Top-level comment.").comment
    r = alice_client.post(
        reverse("comments:reply", args=[top.pk]), {"body": "A nested reply."}, follow=True
    )
    assert r.status_code == 200
    reply = Comment.objects.get(parent=top)
    html = r.content.decode()
    assert html.index(f'id="comment-{top.pk}"') < html.index(f'id="comment-{reply.pk}"')


def test_json_post_returns_status_message_and_rendered_comment(alice_client, story):
    r = alice_client.post(post_url(story), {"body": "<b>Fetch</b> post.", "nonce": "j1"}, **JSON)
    assert r.status_code == 201
    data = r.json()
    assert data["status"] == "published" and data["message"] == "Your comment is published."
    assert data["nonce"] and data["nonce"] != "j1"
    assert "&lt;b&gt;Fetch&lt;/b&gt; post." in data["comment"]["html"]
    r2 = alice_client.post(post_url(story), {"body": "<b>Fetch</b> post.", "nonce": "j1"}, **JSON)
    assert r2.status_code == 200 and r2.json()["duplicate"] is True
    assert Comment.objects.count() == 1


def test_json_rejection_keeps_body(alice_client, story, engine):
    engine.set(Decision.REJECT, ReasonCode.NOT_ENGLISH, "English, please.")
    r = alice_client.post(post_url(story), {"body": "Kya baat hai."}, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 422
    assert r.json() == {
        "ok": False,
        "status": "rejected",
        "message": "English, please.",
        "error": "English, please.",
        "code": "rejected",
        "duplicate": False,
        "body": "Kya baat hai.",
        "nonce": r.json()["nonce"],
        "reasons": ["NOT_ENGLISH"],
    }


def test_get_on_post_endpoint_is_405(alice_client, story):
    assert alice_client.get(post_url(story)).status_code == 405


def test_unknown_story_is_404(alice_client):
    assert (
        alice_client.post(reverse("comments:post", args=[987654]), {"body": "Hi."}).status_code
        == 404
    )


def test_sort_orders(alice, bob, story, client, make_member):
    older = actions.post_comment(alice, story, "Older comment text.").comment
    newer = actions.post_comment(bob, story, "Newer comment text.").comment
    Comment.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2020))
    carol = make_member("carol")
    actions.react(carol, older, 1)
    oldest = client.get(story.url).content.decode()
    assert oldest.index("Older comment") < oldest.index("Newer comment")
    newest = client.get(story.url + "?sort=newest").content.decode()
    assert newest.index("Newer comment") < newest.index("Older comment")
    liked = client.get(story.url + "?sort=liked").content.decode()
    assert liked.index("Older comment") < liked.index("Newer comment")
    assert client.get(story.url + "?sort=bogus").status_code == 200


def test_comment_counts_on_listings_in_one_query(
    client, alice, make_story, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stories = [make_story(f"Listing story {i}") for i in range(4)]
    for s in stories[:3]:
        actions.post_comment(alice, s, f"Comment on {s.title}.")
    actions.post_comment(alice, stories[0], "A second comment here.")
    section_url = stories[0].get_parent().url
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(section_url).content.decode()
    assert "2 comments" in html and html.count("1 comment<") == 2
    comment_queries = [q for q in ctx.captured_queries if "comments_comment" in q["sql"]]
    assert len(comment_queries) == 1
    home = client.get("/").content.decode()
    assert "2 comments" in home


@pytest.mark.parametrize("cpage", ["2", "999", "abc"])
def test_top_level_comments_are_paginated(client, alice, bob, story, settings, cpage):
    settings.MASTHEAD_COMMENTS_PAGE_SIZE = 2
    for i, who in enumerate([alice, bob, alice]):
        actions.post_comment(who, story, f"Numbered comment {i}.")
    first = client.get(story.url).content.decode()
    assert "Numbered comment 0." in first and "Numbered comment 2." not in first
    assert "Page 1 of 2" in first and "cpage=2" in first
    other = client.get(f"{story.url}?cpage={cpage}")
    assert other.status_code == 200
    html = other.content.decode()
    if cpage == "abc":
        assert "Numbered comment 0." in html
    else:
        assert "Numbered comment 2." in html and "Numbered comment 0." not in html
