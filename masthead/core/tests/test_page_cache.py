"""The shared page cache: hits for anonymous readers, never for signed-in ones,
invalidated by publishing, never storing reader-dependent responses."""

import pytest
from django.contrib.auth import get_user_model

from masthead.articles.models import AccessLevel


@pytest.mark.django_db
def test_home_is_cached_for_anonymous_and_invalidated_by_publish(client, make_story):
    make_story("First story on the front page")
    first = client.get("/")
    assert first["X-Masthead-Cache"] == "miss"
    second = client.get("/")
    assert second["X-Masthead-Cache"] == "hit"
    assert second.content == first.content
    make_story("A story published just now")
    third = client.get("/")
    assert third["X-Masthead-Cache"] == "miss"
    assert "A story published just now" in third.content.decode()


@pytest.mark.django_db
def test_unpublish_invalidates(client, make_story, world):
    story = make_story("Soon withdrawn")
    assert "Soon withdrawn" in client.get(world.url).content.decode()
    story.unpublish()
    assert "Soon withdrawn" not in client.get(world.url).content.decode()


@pytest.mark.django_db
def test_signed_in_reader_never_gets_or_fills_the_shared_cache(client, make_story):
    make_story("Anything")
    client.get("/")  # fill as anonymous
    user = get_user_model().objects.create_user("alice", "alice@example.org", "pw-alice-123")
    client.force_login(user)
    response = client.get("/")
    assert "X-Masthead-Cache" not in response
    assert "alice@example.org" in response.content.decode()
    client.logout()
    anonymous = client.get("/")
    assert "alice@example.org" not in anonymous.content.decode()


@pytest.mark.django_db
def test_metered_story_is_never_shared_but_a_free_one_is(client, make_story):
    metered = make_story("Metered", access_level=AccessLevel.METERED)
    free = make_story("Free", access_level=AccessLevel.FREE)
    for _ in range(2):
        response = client.get(metered.url)
        assert response.get("X-Masthead-Cache") != "hit"
        assert "private" in response["Cache-Control"]
    client.get(free.url)
    assert client.get(free.url)["X-Masthead-Cache"] == "hit"


@pytest.mark.django_db
def test_feeds_and_sitemaps_are_cached(client, make_story):
    make_story("Feed story")
    for url in ["/feeds/latest.rss", "/sitemap.xml", "/news-sitemap.xml"]:
        client.get(url)
        assert client.get(url)["X-Masthead-Cache"] == "hit", url


@pytest.mark.django_db
def test_anonymous_listing_has_no_csrf_token_and_save_link_leads_to_sign_in(
    client, make_story, world
):
    story = make_story("Save me")
    html = client.get(world.url).content.decode()
    assert "csrfmiddlewaretoken" not in html
    response = client.get(f"/saved/add/?story_id={story.pk}&next={story.url}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/saved/add/?story_id=nope").status_code == 400


@pytest.mark.django_db
def test_shared_pages_tell_a_cdn_how_long_and_metered_ones_say_private(client, make_story):
    free = make_story("Free", access_level=AccessLevel.FREE)
    metered = make_story("Metered", access_level=AccessLevel.METERED)
    for response in (client.get(free.url), client.get(free.url), client.get("/")):
        assert "public" in response["Cache-Control"]
        assert "s-maxage=5" in response["Cache-Control"]
        assert "max-age=0" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
    gated = client.get(metered.url)
    assert "private" in gated["Cache-Control"] and "public" not in gated["Cache-Control"]


@pytest.mark.django_db
def test_comment_changes_made_without_a_save_leave_cached_pages(
    client, make_story, django_capture_on_commit_callbacks
):
    """Deleting, reacting, moderating and account deletion change comments with
    ``update()``; each must still reach anonymous readers' cached pages at once."""
    from django.utils import timezone

    from masthead.accounts.services import delete_account
    from masthead.comments.actions import approve_comment, delete_own_comment, react
    from masthead.comments.models import Comment
    from masthead.testing.personas import make_user

    story = make_story("Talked about", access_level=AccessLevel.FREE)
    writer = make_user("wanda.writer@example.org")
    reader = make_user("rita.reader@example.org")
    moderator = make_user("mo.moderator@example.org", is_staff=True)

    def comment(body: str, status: str = "published") -> Comment:
        return Comment.objects.create(
            story=story,
            author=writer,
            author_name="Wanda Q. Writer",
            body=body,
            status=status,
            created_at=timezone.now(),
        )

    gone, held = comment("Soon to be deleted."), comment("Waiting for a moderator.", "pending")
    kept = comment("This one stays.")
    html = client.get(story.url).content.decode()
    assert client.get(story.url)["X-Masthead-Cache"] == "hit"
    assert "Soon to be deleted." in html and "Waiting for a moderator." not in html
    with django_capture_on_commit_callbacks(execute=True):
        delete_own_comment(writer, gone)
    assert "Soon to be deleted." not in client.get(story.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        approve_comment(held, moderator)
    assert "Waiting for a moderator." in client.get(story.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        react(reader, kept, 1)
    assert "1 like ·" in client.get(story.url).content.decode()  # anonymous readers see counts
    assert "Wanda Q. Writer" in client.get(story.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(writer)
    after = client.get(story.url).content.decode()
    assert "Wanda Q. Writer" not in after and "This one stays." in after
