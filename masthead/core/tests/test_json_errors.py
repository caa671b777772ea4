"""Script clients of the meter, save, reaction and comment endpoints get JSON errors
with the same status codes; browsers (no JSON asked for) keep the HTML pages."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus
from masthead.testing.personas import make_user

pytestmark = pytest.mark.django_db

ACCEPT = {"HTTP_ACCEPT": "application/json"}
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}  # not the comment views' own "fetch"
FETCH_DEST = {"HTTP_SEC_FETCH_DEST": "empty"}


def body(response: HttpResponse) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data = json.loads(response.content)
    assert data["ok"] is False and data["message"]
    return data


@pytest.fixture
def alice():
    return make_user("alice@example.org")


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def comment(make_story, alice):
    story = make_story("Rains flood the old city")
    return Comment.objects.create(
        story=story,
        author=alice,
        author_name="Alice",
        body="A first comment with enough words.",
        status=CommentStatus.PUBLISHED,
        created_at=timezone.now() - timezone.timedelta(hours=2),
    )


def test_meter_json_wrong_method_is_json_405_with_allow(client):
    for headers in (ACCEPT, XHR, FETCH_DEST):
        response = client.post("/meter.json", **headers)
        assert response.status_code == 405
        assert body(response)["code"] == "method_not_allowed"
        assert "GET" in response["Allow"]
    browser = client.post("/meter.json")
    assert browser.status_code == 405
    assert not browser["Content-Type"].startswith("application/json")


def test_save_endpoints_json_errors(client, alice_client):
    # 400 bad id, 404 unknown story (X-Requested-With only: the view itself reads Accept)
    response = alice_client.post("/saved/add/", {"story_id": "abc"}, **XHR)
    assert response.status_code == 400 and body(response)["code"] == "bad_request"
    response = alice_client.post("/saved/add/", {"story_id": 987654}, **XHR)
    assert response.status_code == 404 and body(response)["code"] == "not_found"
    response = alice_client.post("/saved/remove/", {"story_id": "x"}, **FETCH_DEST)
    assert response.status_code == 400 and body(response)
    # 405
    response = alice_client.put("/saved/add/", **ACCEPT)
    assert response.status_code == 405 and body(response)["code"] == "method_not_allowed"
    response = alice_client.get("/saved/remove/", **ACCEPT)
    assert response.status_code == 405 and body(response)
    # signed out: login_required's redirect becomes a 401 with where to sign in
    response = client.post("/saved/remove/", {"story_id": 1}, **ACCEPT)
    data = body(response)
    assert response.status_code == 401 and data["status"] == "login"
    assert data["login_url"].startswith("/accounts/login/?next=")
    # browsers keep the HTML page and the redirect
    assert client.post("/saved/remove/", {"story_id": 1}).status_code == 302
    html = alice_client.post("/saved/add/", {"story_id": 987654})
    assert html.status_code == 404 and b"<html" in html.content.lower()


def test_reaction_json_errors(alice_client, comment):
    response = alice_client.post("/comments/99999999/react/", {"value": "like"}, **XHR)
    assert response.status_code == 404 and body(response)["code"] == "not_found"
    response = alice_client.get(f"/comments/{comment.pk}/react/", **XHR)
    assert response.status_code == 405 and body(response)
    # reacting to one's own comment is refused (403); the view's HTML page becomes JSON
    response = alice_client.post(f"/comments/{comment.pk}/react/", {"value": "like"}, **XHR)
    assert response.status_code == 403 and body(response)["code"] == "forbidden"
    response = alice_client.post(f"/comments/{comment.pk}/react/", {"value": "meh"}, **XHR)
    assert response.status_code == 400 and body(response)
    browser = alice_client.post("/comments/99999999/react/", {"value": "like"})
    assert browser.status_code == 404 and not browser["Content-Type"].startswith("application/json")


def test_comment_endpoints_json_errors(client, alice_client, comment):
    assert alice_client.post("/comments/story/99999999/post/", **XHR).status_code == 404
    response = alice_client.post("/comments/story/99999999/post/", **ACCEPT)
    assert body(response)["code"] == "not_found"
    response = alice_client.get(f"/comments/story/{comment.story_id}/post/", **ACCEPT)
    assert response.status_code == 405 and body(response)
    response = alice_client.post("/comments/99999999/reply/", {"body": "Hello there."}, **XHR)
    assert response.status_code == 404 and body(response)
    # someone else's comment: 404 (ids reveal nothing); out of the edit window: 403
    other = make_user("other@example.org")
    theirs = Comment.objects.create(
        story=comment.story,
        author=other,
        body="Theirs.",
        status=CommentStatus.PUBLISHED,
        created_at=timezone.now(),
    )
    response = alice_client.get(f"/comments/{theirs.pk}/edit/", **XHR)
    assert response.status_code == 404 and body(response)
    response = alice_client.get(f"/comments/{comment.pk}/edit/", **XHR)
    assert response.status_code == 403 and body(response)["code"] == "forbidden"
    response = alice_client.get("/comments/99999999/report/", **XHR)
    assert response.status_code == 404 and body(response)
    response = alice_client.put(f"/comments/{comment.pk}/delete/", **XHR)
    assert response.status_code == 405 and body(response)
    response = client.post(f"/comments/{comment.pk}/delete/", **ACCEPT)
    assert response.status_code == 401 and body(response)["login_url"]


def test_csrf_failure_is_json_403_for_scripts_and_a_page_for_browsers(alice, comment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for url in (f"/comments/{comment.pk}/react/", "/saved/add/"):
        response = client.post(url, {"value": "like", "story_id": comment.story_id}, **ACCEPT)
        assert response.status_code == 403 and body(response)["code"] == "csrf"
        assert "no-store" in response["Cache-Control"]
    page = client.post("/saved/add/", {"story_id": comment.story_id})
    assert page.status_code == 403 and b"Your form was not sent" in page.content


def _limited(request):  # noqa: ANN001, ANN202
    response = HttpResponse("<h1>Slow down</h1>", status=429)
    response["Retry-After"] = "30"
    return response


urlpatterns = [path("meter.json", _limited, name="meter-json")]


@override_settings(ROOT_URLCONF=__name__)
def test_rate_limited_answer_becomes_json_429_keeping_retry_after(client):
    response = client.get("/meter.json", **ACCEPT)
    assert response.status_code == 429 and response["Retry-After"] == "30"
    assert body(response)["code"] == "rate_limited"
    assert client.get("/meter.json").content == b"<h1>Slow down</h1>"


def test_successful_and_own_json_answers_are_untouched(alice_client, make_story):
    story = make_story()
    response = alice_client.post("/saved/add/", {"story_id": story.pk}, **ACCEPT)
    assert response.status_code == 200 and json.loads(response.content)["saved"] is True
    response = alice_client.get("/meter.json", **ACCEPT)
    assert response.status_code == 200 and "views_left" in json.loads(response.content)


def test_other_pages_keep_their_answers(client, make_story):
    # Only the script endpoints are converted: a reader page's 404 stays a page.
    make_story()
    response = client.get("/world/no-such-story/", **ACCEPT)
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_save_with_xmlhttprequest_gets_the_views_own_message(alice_client):
    # the view and the middleware use one rule, so the view's message is not replaced
    response = alice_client.post("/saved/add/", {"story_id": "abc"}, **XHR)
    data = body(response)
    assert response.status_code == 400 and data["message"] == "That is not a story id."
    assert data["error"] == data["message"] and data["code"] == "bad_request"
    response = alice_client.post("/saved/add/", {"story_id": 987654}, **FETCH_DEST)
    assert response.status_code == 404 and "no longer published" in body(response)["message"]


def test_anonymous_script_save_error_has_the_common_shape(client, make_story):
    story = make_story()
    response = client.post("/saved/add/", {"story_id": story.pk}, **XHR)
    data = body(response)
    assert response.status_code == 401 and data["code"] == "login" and data["login_url"]


def test_meter_json_post_is_405_before_the_csrf_check(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/meter.json", **ACCEPT)
    assert response.status_code == 405 and "GET" in response["Allow"]
    assert body(response)["code"] == "method_not_allowed"
    assert client.post("/meter.json").status_code == 405
    assert client.get("/meter.json", **ACCEPT).status_code == 200
