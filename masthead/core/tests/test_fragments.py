"""Cached story parts (masthead.core.fragments) and remembered routes (masthead.core.routing).

A first render after another story's publish assembles cached parts without queries;
every change that shows on a story (its own edit, a section, an author, a comment, a
view restriction, a move) shows on the next request; reader-dependent parts are never
shared.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from masthead.articles.models import AccessLevel, Author
from masthead.articles.services import paragraphs_to_body
from masthead.comments.models import Comment, CommentStatus
from masthead.core.fragments import comments_changed, story_stamps
from masthead.core.page_cache import bump_content_version, content_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block and then its on-commit callbacks, as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def page(client, url: str, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_first_render_after_another_publish_reuses_parts_without_queries(client, make_story):
    story = make_story("Parts kept", access_level=AccessLevel.FREE)
    first = page(client, story.url)
    assert "Second paragraph of story 1." in first
    make_story("Another story")
    assert page(client, story.url) == first  # read again: its page object is kept too
    make_story("A third story")  # a publish: every whole page is invalidated
    with CaptureQueriesContext(connection) as queries:
        again = client.get(story.url)
    assert again["X-Masthead-Cache"] == "miss"  # rendered, not a whole-page hit
    assert again.content.decode() == first
    assert len(queries) == 0, [q["sql"][:80] for q in queries]


def test_parts_of_two_stories_never_mix(client, make_story):
    one = make_story("First headline", paragraphs=["One lead.", "One body."])
    two = make_story("Second headline", paragraphs=["Two lead.", "Two body."])
    for _ in range(2):
        html_one, html_two = page(client, one.url), page(client, two.url)
        assert "First headline" in html_one and "Two lead." not in html_one
        assert "Second headline" in html_two and "One lead." not in html_two


def test_a_published_edit_shows_at_once(client, make_story):
    story = make_story("Old headline", paragraphs=["Old lead.", "Old second."])
    page(client, story.url)
    story.title = "New headline"
    story.body = paragraphs_to_body(["New lead.", "New second."])
    story.save_revision().publish()
    html = page(client, story.url)
    assert "New headline" in html and "New lead." in html
    assert "Old headline" not in html and "Old lead." not in html


def test_a_direct_save_of_the_access_level_never_leaks_gated_text(client, make_story, commit):
    story = make_story("Once free", access_level=AccessLevel.FREE)
    assert "Third paragraph of story 1." in page(client, story.url)
    with commit():
        story.access_level = AccessLevel.SUBSCRIBERS
        story.save()
    html = page(client, story.url)
    assert "Lead paragraph of story 1." in html
    assert "Second paragraph of story 1." not in html
    assert "Third paragraph of story 1." not in html


def test_author_and_section_changes_reach_every_story(client, make_story, world, commit):
    story = make_story("Bylined")
    author = Author.objects.create(name="Asha Rao", slug="asha-rao")
    story.authors.add(author)
    story.save_revision().publish()
    assert "Asha Rao" in page(client, story.url)
    with commit():
        author.name = "Asha Rao-Menon"
        author.save()
    assert "Asha Rao-Menon" in page(client, story.url)
    with commit():
        world.title = "World News"
        world.save_revision().publish()
    assert ">World News</a>" in page(client, story.url)


def test_a_new_comment_shows_to_anonymous_readers(client, make_story, commit):
    story = make_story("Talked about", access_level=AccessLevel.FREE)
    assert "No comments yet." in page(client, story.url)
    with commit():
        Comment.objects.create(
            story=story,
            body="A first comment, in full sentences.",
            author_name="Reader One",
            status=CommentStatus.PUBLISHED,
            created_at=timezone.now(),
        )
    html = page(client, story.url)
    assert "A first comment, in full sentences." in html
    assert "No comments yet." not in html


def test_a_comment_hidden_by_update_leaves_the_thread(client, make_story, commit):
    story = make_story("Moderated", access_level=AccessLevel.FREE)
    comment = Comment.objects.create(
        story=story,
        body="Soon to be removed by a moderator.",
        author_name="Reader Two",
        status=CommentStatus.PUBLISHED,
        created_at=timezone.now(),
    )
    assert "Soon to be removed" in page(client, story.url)
    with commit():
        Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.REJECTED)
        content_changed((), [story.pk])
    assert "Soon to be removed" not in page(client, story.url)


def test_members_never_get_the_anonymous_thread(client, make_story):
    from allauth.account.models import EmailAddress

    story = make_story("Members talk", access_level=AccessLevel.FREE)
    assert "Commenting is a member benefit." in page(client, story.url)
    user = get_user_model().objects.create_user("mina", "mina@example.org", "pw-mina-12345")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    html = page(client, story.url)
    assert "Commenting is a member benefit." not in html
    assert 'name="body"' in html  # the comment form, with this member's CSRF token


def test_thread_closes_by_age_without_a_save(client, make_story, settings):
    settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = 30
    story = make_story("Old news", access_level=AccessLevel.FREE)
    assert "Comments closed 30 days" not in page(client, story.url)
    from masthead.comments.services import anonymous_thread_key

    class Request:
        GET: dict[str, str] = {}

    now = timezone.now()
    assert anonymous_thread_key(Request(), story, now) != anonymous_thread_key(
        Request(), story, now + timedelta(days=31)
    )


def test_thread_key_ignores_unknown_sorts_and_cuts_the_page_number(make_story):
    from masthead.comments.services import anonymous_thread_key

    story = make_story("Keys")

    class Request:
        def __init__(self, **get: str) -> None:
            self.GET = get

    base = anonymous_thread_key(Request(), story)
    assert anonymous_thread_key(Request(sort="no-such-sort"), story) == base
    assert len(anonymous_thread_key(Request(cpage="9" * 500), story)) < 40


def test_stamps_change_with_each_kind_of_change(make_story, commit):
    story = make_story("Stamped")
    before = story_stamps(story)
    with commit():
        comments_changed([story.pk])
    after_comment = story_stamps(story)
    assert after_comment.article == before.article
    assert after_comment.comments != before.comments
    with commit():
        story.save()
    assert story_stamps(story).article != after_comment.article


# --- routes -----------------------------------------------------------------------------


def test_remembered_route_needs_no_tree_walk(client, make_story):
    story = make_story("Routed")
    page(client, story.url)
    bump_content_version()
    with CaptureQueriesContext(connection) as queries:
        page(client, story.url)
    assert not [q for q in queries if "wagtailcore_site" in q["sql"]]
    assert len([q for q in queries if "wagtailcore_page" in q["sql"]]) == 1  # by primary key
    bump_content_version()
    with CaptureQueriesContext(connection) as queries:
        page(client, story.url)
    assert not [q for q in queries if "wagtailcore_page" in q["sql"]]


def test_unpublished_story_is_gone_from_its_remembered_route(client, make_story, commit):
    story = make_story("Withdrawn")
    page(client, story.url)
    with commit():
        story.unpublish()
    assert client.get(story.url).status_code == 404


def test_renamed_story_leaves_its_old_address(client, make_story, commit):
    story = make_story("Renamed")
    old_url = story.url
    page(client, old_url)
    with commit():
        story.slug = "a-new-slug"
        story.save_revision().publish()
    story.refresh_from_db()
    old = client.get(old_url)  # Wagtail's automatic redirect, or nothing
    assert old.status_code in (301, 404)
    assert old.status_code == 404 or old["Location"] == story.url
    assert "Renamed" in page(client, story.url)


def test_moved_story_follows_its_section(client, make_story, home, commit):
    from masthead.articles.services import ensure_section

    story = make_story("Moving")
    old_url = story.url
    page(client, old_url)
    sport = ensure_section("sport", "Sport")
    with commit():
        story.move(sport, pos="last-child")
    story.refresh_from_db()
    old = client.get(old_url)
    assert old.status_code in (301, 404)
    assert old.status_code == 404 or old["Location"] == story.url
    html = page(client, story.url)
    assert ">Sport</a>" in html


def test_deleted_story_is_gone(client, make_story, commit):
    story = make_story("Deleted")
    url = story.url
    page(client, url)
    with commit():
        story.delete()
    assert client.get(url).status_code == 404


def test_a_new_view_restriction_applies_to_a_remembered_route(client, make_story, world, commit):
    story = make_story("Soon private", access_level=AccessLevel.FREE)
    page(client, story.url)
    with commit():
        PageViewRestriction.objects.create(page=world, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(story.url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert "Lead paragraph" not in response.content.decode()


def test_a_story_without_restrictions_gets_an_empty_queryset_that_behaves_as_one(
    make_story, world, commit
):
    """Wagtail's check and the story's own iterate the restrictions on every render;
    with none they get an already evaluated empty queryset, which still filters, orders
    and checks as a queryset and gives way to a restriction added later."""
    story = make_story("Open to all")
    story.get_view_restrictions()  # the cached list of restrictions is read once
    with CaptureQueriesContext(connection) as queries:
        restrictions = story.get_view_restrictions()
        assert list(restrictions) == []
        assert not restrictions
        assert not restrictions.exists()
        assert list(restrictions.order_by("-page__depth")) == []  # as the admin uses it
    assert len(queries) == 0
    with commit():
        made = PageViewRestriction.objects.create(
            page=world, restriction_type=PageViewRestriction.LOGIN
        )
    assert list(story.get_view_restrictions()) == [made]


def test_site_lookup_is_kept_and_renewed_on_change(client, make_story, commit):
    from wagtail.models import Site

    story = make_story("Sited")
    page(client, story.url)
    with CaptureQueriesContext(connection) as queries:
        client.get("/meter.json")
    assert not [q for q in queries if "wagtailcore_site" in q["sql"]]
    site = Site.objects.get(is_default_site=True)
    with commit():
        site.site_name = "Renamed site"
        site.save()
    with CaptureQueriesContext(connection) as queries:
        client.get("/meter.json")
    assert [q for q in queries if "wagtailcore_site" in q["sql"]]


def test_fragment_tag_without_a_store_renders_every_time():
    from django.template import Context, Template

    tpl = Template('{% load masthead_tags %}{% fragment "x" %}{{ n }}{% endfragment %}')
    assert tpl.render(Context({"n": 1})) == "1"
    assert tpl.render(Context({"n": 2})) == "2"


def test_fragment_tag_needs_a_name():
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template("{% load masthead_tags %}{% fragment %}x{% endfragment %}")


def test_published_time_is_part_of_the_article_stamp(make_story):
    story = make_story("Timed")
    stamp = story_stamps(story).article
    story.last_published_at = datetime(2030, 1, 1, tzinfo=timezone.get_current_timezone())
    assert story_stamps(story).article != stamp


def test_a_new_release_never_reuses_parts(settings, tmp_path):
    from masthead.core.fragments import release

    (tmp_path / "templates").mkdir()
    page_html = tmp_path / "templates" / "page.html"
    page_html.write_text("<p>one</p>")
    settings.BASE_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    release.cache_clear()
    try:
        first = release()
        page_html.write_text("<p>two</p>")
        release.cache_clear()
        assert release() != first
        (tmp_path / "static").mkdir()
        (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}}')
        second = release()
        release.cache_clear()
        assert release() != second
        # Code that decides what a part shows (a story's lead-in, say) counts; tests do not.
        (tmp_path / "metering").mkdir()
        (tmp_path / "metering" / "tags.py").write_text("LEAD = 1\n")
        release.cache_clear()
        third = release()
        assert third != second
        (tmp_path / "metering" / "tests").mkdir()
        (tmp_path / "metering" / "tests" / "test_tags.py").write_text("X = 1\n")
        release.cache_clear()
        assert release() == third
        (tmp_path / "metering" / "tags.py").write_text("LEAD = 2\n")
        release.cache_clear()
        assert release() != third
    finally:
        release.cache_clear()


def test_signed_in_restriction_sends_readers_to_the_sites_sign_in_page(client, make_story, world):
    story = make_story("Members only section", access_level=AccessLevel.FREE)
    PageViewRestriction.objects.create(page=world, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(story.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("limit", [None, 7], ids=["defaults", "chosen-limit"])
def test_a_settings_row_renews_the_parts_only_when_it_changes_what_is_shown(
    home, django_capture_on_commit_callbacks, limit
):
    """A settings row created on first use holds the defaults every page was rendered
    with: cached parts and pages stay valid. One created with other values renews them."""
    from wagtail.models import Site

    from masthead.core.fragments import SHARED_EPOCH_KEY
    from masthead.core.page_cache import read_counter
    from masthead.metering.models import MeterSettings

    site = Site.objects.get(is_default_site=True)
    with django_capture_on_commit_callbacks(execute=True):
        MeterSettings.objects.filter(site=site).delete()
    before = read_counter(SHARED_EPOCH_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        if limit is None:
            MeterSettings.for_site(site)  # created on first use, with the defaults
        else:
            MeterSettings.objects.create(site=site, anonymous_limit=limit)
    assert (read_counter(SHARED_EPOCH_KEY) != before) == (limit is not None)
