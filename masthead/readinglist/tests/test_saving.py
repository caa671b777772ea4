"""Save and remove stories, with and without JavaScript; bad input; sign-in then save."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from masthead.articles.models import AccessLevel
from masthead.metering.models import MeterView
from masthead.readinglist.models import SavedStory
from masthead.testing.personas import PASSWORD


def test_save_and_remove_without_javascript(alice, signed_in, make_story):
    client = signed_in(alice)
    story = make_story()
    response = client.post("/saved/add/", {"story_id": story.pk, "next": story.url})
    assert response.status_code == 302 and response["Location"] == story.url
    response = client.post(
        "/saved/add/", {"story_id": story.pk, "next": story.url}
    )  # repeated save
    assert response.status_code == 302
    assert SavedStory.objects.filter(user=alice).count() == 1
    page = client.get(story.url).content.decode()
    assert 'aria-pressed="true"' in page and 'action="/saved/remove/"' in page
    response = client.post("/saved/remove/", {"story_id": story.pk})
    assert response.status_code == 302 and response["Location"] == "/saved/"
    assert not SavedStory.objects.exists()
    assert client.post("/saved/remove/", {"story_id": story.pk}).status_code == 302  # idempotent


def test_save_with_javascript_gets_json(alice, signed_in, make_story):
    client = signed_in(alice)
    story = make_story()
    response = client.post("/saved/add/", {"story_id": story.pk}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and json.loads(response.content)["saved"] is True
    response = client.post("/saved/remove/", {"story_id": story.pk}, HTTP_ACCEPT="application/json")
    assert json.loads(response.content) == {
        "ok": True,
        "saved": False,
        "removed": True,
        "story_id": story.pk,
    }


def test_listing_has_save_forms(make_story, django_user_model):
    story = make_story()
    html = Client().get("/world/").content.decode()
    # anonymous: a plain link through sign-in (no CSRF token, so the page can be shared)
    assert f'href="/saved/add/?story_id={story.pk}&amp;next=' in html
    assert "csrfmiddlewaretoken" not in html and "save-story.js" in html
    member = Client()
    member.force_login(django_user_model.objects.create_user("m", "m@example.org", "pw-m-12345"))
    html = member.get("/world/").content.decode()
    assert 'class="save-story"' in html and "csrfmiddlewaretoken" in html


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({}, 400, "No story was given."),
        ({"story_id": "abc"}, 400, "That is not a story id."),
        ({"story_id": "99999999"}, 404, "does not exist"),
        ({"story_id": "-3"}, 400, "That is not a story id."),
        ({"story_id": "1" * 40}, 400, "That is not a story id."),
        ({"story_id": "+24"}, 400, "That is not a story id."),
        ({"story_id": "2_4"}, 400, "That is not a story id."),
        ({"story_id": "\u0662\u0664"}, 400, "That is not a story id."),
    ],
)
def test_bad_story_ids(alice, signed_in, data, status, message, home):
    client = signed_in(alice)
    response = client.post("/saved/add/", data)
    assert response.status_code == status and message in response.content.decode()
    response = client.post("/saved/add/", data, HTTP_ACCEPT="application/json")
    assert response.status_code == status and message in json.loads(response.content)["error"]


def test_deleted_or_unpublished_story(alice, signed_in, make_story):
    client = signed_in(alice)
    story = make_story()
    story.unpublish()
    assert client.post("/saved/add/", {"story_id": story.pk}).status_code == 404
    other = make_story()
    client.post("/saved/add/", {"story_id": other.pk})
    other.delete()
    assert client.get("/saved/").status_code == 200
    assert not SavedStory.objects.exists()


def test_csrf_is_enforced(alice, make_story):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    story = make_story()
    assert client.post("/saved/add/", {"story_id": story.pk}).status_code == 403
    assert client.post("/saved/remove/", {"story_id": story.pk}).status_code == 403
    # A signed-in GET (a prefetched or forged link) saves nothing: it asks, with a POST form.
    response = client.get(f"/saved/add/?story_id={story.pk}")
    assert response.status_code == 200 and 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert not SavedStory.objects.exists()
    assert client.get("/saved/add/").status_code == 400
    assert client.put("/saved/add/").status_code == 403  # CSRF is checked first
    relaxed = Client()
    relaxed.force_login(alice)
    assert relaxed.put("/saved/add/").status_code == 405


def test_anonymous_save_goes_through_sign_in_then_asks(alice, make_story):
    client = Client(enforce_csrf_checks=True)
    story = make_story()
    # The anonymous "Save" link is a GET (pages for anonymous readers carry no token).
    response = client.get(f"/saved/add/?story_id={story.pk}&next={story.url}")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    page = client.get(response["Location"])
    token = page.cookies["csrftoken"].value
    response = client.post(
        response["Location"],
        {"login": alice.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    # Back to the save page, which asks: signing in saved nothing by itself.
    assert response.status_code == 302 and response["Location"].startswith("/saved/add/?")
    assert not SavedStory.objects.exists()
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200 and story.title in confirm.content.decode()
    token = confirm.cookies.get("csrftoken", client.cookies["csrftoken"]).value
    response = client.post(
        "/saved/add/", {"story_id": story.pk, "next": story.url, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == story.url
    assert SavedStory.objects.filter(user=alice, story=story).exists()
    assert not MeterView.objects.filter(reader_key=f"u:{alice.pk}").exists()  # saving never counts


def test_a_cross_site_link_plants_nothing(alice, make_story):
    """Another site links (or embeds) /saved/add/ for a signed-out reader, who then
    signs in: nothing lands in their list."""
    client = Client()
    story = make_story()
    cross_site = {"HTTP_REFERER": "https://elsewhere.example/"}
    assert client.get(f"/saved/add/?story_id={story.pk}", **cross_site).status_code == 302
    assert client.post("/saved/add/", {"story_id": story.pk}, **cross_site).status_code == 302
    # A session from before this change, holding the old pending key, is not applied either.
    session = client.session
    session["masthead_pending_save"] = story.pk
    session.save()
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    assert "masthead_pending_save" not in client.session
    assert not SavedStory.objects.exists()
    # Signed in, the same cross-site GET still only shows the question.
    assert client.get(f"/saved/add/?story_id={story.pk}").status_code == 200
    assert not SavedStory.objects.exists()


def test_anonymous_script_save_gets_a_login_url_that_returns_to_the_question(make_story):
    story = make_story()
    response = Client().post("/saved/add/", {"story_id": story.pk}, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["login_url"].startswith("/accounts/login/?next=%2Fsaved%2Fadd%2F")


def test_saved_page_newest_first_with_gated_state_and_no_count(alice, signed_in, make_story):
    from masthead.readinglist.services import save_story

    client = signed_in(alice)
    stories = [make_story(title=f"Headline {i}") for i in range(12)]
    for story in stories[:10]:
        client.get(story.url)  # uses the ten free stories
    save_story(alice, stories[0])
    save_story(alice, stories[11])  # unread, meter out: locked
    save_story(alice, make_story(title="Members-only piece", access_level=AccessLevel.SUBSCRIBERS))
    before = MeterView.objects.count()
    html = client.get("/saved/").content.decode()
    assert MeterView.objects.count() == before
    assert html.index("Members-only piece") < html.index("Headline 11") < html.index("Headline 0")
    assert "Locked: no free stories left this month" in html and "Subscribers only" in html
    assert "Readable" in html
    assert stories[11].paragraphs_text[0] not in html
    assert Client().get("/saved/").status_code == 302  # sign-in required
