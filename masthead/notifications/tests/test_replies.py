"""A published reply by someone else shows in the comment author's header and on
"My comments" until marked seen; held, rejected and own replies never notify."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from masthead.comments import actions
from masthead.comments.models import Comment
from masthead.moderation.guidelines.base import Decision
from masthead.notifications import services
from masthead.notifications.models import ReplyNotification

pytestmark = pytest.mark.django_db

COUNT = re.compile(r'data-reply-count="(\d+)"')


def signed_in(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def header_count(client: Client, url: str = "/comments/mine/") -> int | None:
    html = client.get(url).content.decode()
    nav = html.split("<!--m:nav-->", 1)[1].split("<!--/m:nav-->", 1)[0]
    found = COUNT.search(nav)
    return int(found.group(1)) if found else None


def test_reply_shows_in_header_and_list_until_marked_seen(alice, bob, story):
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    a, b = signed_in(alice), signed_in(bob)
    assert header_count(a) is None
    response = b.post(reverse("comments:reply", args=[top.pk]), {"body": "Bob's reply here."})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=top)
    assert header_count(a) == 1
    html = a.get("/comments/mine/").content.decode()
    assert 'id="replies"' in html and "Bob's reply here." in html
    assert f'data-reply="{reply.pk}"' in html and "1 new" in html
    assert header_count(b) is None  # the replier is not notified
    assert (
        "Bob's reply here."
        not in b.get("/comments/mine/")
        .content.decode()
        .split('id="replies"')[1]
        .split("</section>")[0]
    )
    # mark seen (a CSRF-protected POST)
    assert a.get(reverse("notifications:replies-seen")).status_code == 405
    response = a.post(reverse("notifications:replies-seen"))
    assert response.status_code == 302 and response["Location"].endswith("/comments/mine/#replies")
    assert header_count(a) is None
    assert ReplyNotification.objects.get().seen_at is not None
    assert f'data-reply="{reply.pk}"' in a.get("/comments/mine/").content.decode()  # still listed


def test_mark_seen_by_id_and_as_json(alice, bob, story):
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    first = actions.post_comment(bob, story, "First reply from Bob.", parent=top).comment
    actions.post_comment(bob, story, "Second reply from Bob.", parent=top)
    a = signed_in(alice)
    assert header_count(a) == 2
    note = ReplyNotification.objects.get(reply=first)
    response = a.post(
        reverse("notifications:replies-seen"), {"id": note.pk}, HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"ok": True, "marked": 1, "unseen": 1}
    assert header_count(a) == 1
    # another member cannot mark Alice's replies
    signed_in(bob).post(reverse("notifications:replies-seen"))
    assert services.unseen_count(alice.pk) == 1
    anonymous = Client().post(reverse("notifications:replies-seen"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_own_reply_and_top_level_comments_do_not_notify(alice, bob, story):
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    actions.post_comment(alice, story, "Answering myself here.", parent=top)
    actions.post_comment(bob, story, "A new top-level comment.")
    assert not ReplyNotification.objects.exists()
    assert services.unseen_count(alice.pk) == 0


def test_held_reply_notifies_only_when_approved_and_leaves_when_taken_down(
    alice, bob, carl, story, engine
):
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    engine.set(Decision.HOLD)
    held = actions.post_comment(bob, story, "A reply the queue holds.", parent=top).comment
    assert held.status == "pending"
    engine.set(Decision.REJECT)
    refused = actions.post_comment(bob, story, "A reply the rules refuse.", parent=top)
    assert refused.status == "rejected"
    a = signed_in(alice)
    assert header_count(a) is None and not ReplyNotification.objects.exists()
    actions.approve_comment(held, carl)
    assert header_count(a) == 1
    assert ReplyNotification.objects.get().reply_id == held.pk
    actions.approve_comment(held, carl)  # again: still one notification
    assert ReplyNotification.objects.count() == 1
    actions.reject_comment(held, carl)
    assert header_count(a) is None
    assert "A reply the queue holds." not in a.get("/comments/mine/").content.decode()


def test_an_edit_that_publishes_a_held_reply_notifies(alice, bob, story, engine):
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    engine.set(Decision.HOLD)
    held = actions.post_comment(bob, story, "A reply the queue holds.", parent=top).comment
    engine.set(Decision.PUBLISH)
    assert actions.edit_comment(bob, held, "A reply, reworded and fine.").status == "published"
    assert services.unseen_count(alice.pk) == 1


def test_deleted_reply_leaves_the_count(alice, bob, story):
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    reply = actions.post_comment(bob, story, "A reply to be deleted.", parent=top).comment
    assert services.unseen_count(alice.pk) == 1
    actions.delete_own_comment(bob, reply)
    assert services.unseen_count(alice.pk) == 0


def test_count_on_cached_member_pages_is_per_member(alice, bob, carl, story, make_story):
    """Story pages for members come from shared variants; the count must be the reader's own."""
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    other = make_story("A second story for reading")
    a, c = signed_in(alice), signed_in(carl)
    first = c.get(other.url)  # Carl's render stores the member variant
    assert first.status_code == 200
    assert header_count(a, other.url) is None
    actions.post_comment(bob, story, "A reply Alice should see.", parent=top)
    page = a.get(other.url)
    assert page.get("X-Masthead-Cache") == "member"  # served from the shared variant...
    assert header_count(a, other.url) == 1  # ...with her own, fresh count
    assert header_count(c, other.url) is None  # and Carl's page never shows it
    assert "A reply Alice should see." not in c.get(other.url).content.decode()
    services.mark_seen(alice.pk)
    assert header_count(a, other.url) is None


def test_export_includes_reply_notifications(alice, bob, story):
    top = actions.post_comment(alice, story, "A comment worth answering.").comment
    reply = actions.post_comment(bob, story, "A reply to export.", parent=top).comment
    from masthead.notifications.signal_handlers import export_notifications

    data = export_notifications(None, alice)
    assert [n["reply_id"] for n in data["reply_notifications"]] == [reply.pk]
    assert data["reply_email"] is False
