"""Script clients: one rule decides who gets JSON (the comment views and the JSON error
middleware agree), every JSON error body carries ``{"ok": false, "code", "message"}``,
and a double POST of the same reaction keeps it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from masthead.comments import actions
from masthead.comments.models import Comment, Reaction

pytestmark = pytest.mark.django_db

# Headers a script may send; our own script sends Accept + X-Requested-With: fetch.
SCRIPT_HEADERS = [
    {"X-Requested-With": "XMLHttpRequest"},
    {"X-Requested-With": "fetch"},
    {"Accept": "application/json"},
    {"Sec-Fetch-Dest": "empty"},
]


def error(response: Any) -> dict[str, Any]:
    """The JSON error body, checked for the keys every error carries."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data = response.json()
    assert data["ok"] is False and data["code"] and data["message"]
    return data


@pytest.mark.parametrize("headers", SCRIPT_HEADERS)
def test_empty_comment_from_any_script_client_gets_the_views_message(
    alice_client: Client, story: Any, headers: dict[str, str]
) -> None:
    r = alice_client.post(
        reverse("comments:post", args=[story.pk]), {"body": "   "}, headers=headers
    )
    assert r.status_code == 400
    data = error(r)
    assert data["code"] == "empty" and data["status"] == "invalid"
    assert data["message"].startswith("Your comment is empty")
    assert not Comment.objects.exists()


def test_anonymous_script_post_is_401_with_login_url_in_the_common_shape(
    client: Client, story: Any
) -> None:
    r = client.post(
        reverse("comments:post", args=[story.pk]),
        {"body": "Hello."},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    data = error(r)
    assert r.status_code == 401 and data["code"] == "login" and data["status"] == "login"
    assert data["login_url"].startswith(reverse("account_login"))


def test_reaction_and_report_errors_carry_ok_code_message(alice: Any, bob: Any, story: Any) -> None:
    comment = actions.post_comment(alice, story, "A comment to react to.").comment
    c = Client()
    c.force_login(bob)
    xhr = {"X-Requested-With": "XMLHttpRequest"}
    r = c.post(reverse("comments:react", args=[comment.pk]), {"value": "meh"}, headers=xhr)
    assert r.status_code == 400 and error(r)["message"] == "Choose like or dislike."
    r = c.post(reverse("comments:report", args=[comment.pk]), {"reason": ""}, headers=xhr)
    assert r.status_code == 400 and "reason" in error(r)["message"]


def test_double_post_of_like_leaves_the_like_in_place(alice: Any, bob: Any, story: Any) -> None:
    comment = actions.post_comment(alice, story, "Like me twice.").comment
    c = Client()
    c.force_login(bob)
    url = reverse("comments:react", args=[comment.pk])
    json_headers = {"Accept": "application/json", "X-Requested-With": "fetch"}
    first = c.post(url, {"value": "like"}, headers=json_headers)
    second = c.post(url, {"value": "like"}, headers=json_headers)
    assert first.status_code == second.status_code == 200
    assert second.json() | {"message": ""} == {
        "ok": True,
        "message": "",
        "like_count": 1,
        "dislike_count": 0,
        "value": 1,
    }
    # the same through plain form posts (no JavaScript)
    c.post(url, {"value": "like"})
    c.post(url, {"value": "like"})
    comment.refresh_from_db()
    assert comment.like_count == 1 and comment.dislike_count == 0
    assert Reaction.objects.get(comment=comment, user=bob).value == Reaction.LIKE
