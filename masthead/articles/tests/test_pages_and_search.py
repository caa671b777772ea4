import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from masthead.articles.models import (
    AccessLevel,
    HomePage,
    SectionPage,
    StoryPage,
    effective_access_level,
)


@pytest.mark.django_db
def test_home_lists_latest_stories_per_section(client, make_story):
    make_story("World story one")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "World story one" in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_section_page_and_tag_page(client, make_story, world):
    story = make_story("Tagged story")
    story.tags.add("diplomacy")
    story.save_revision().publish()
    assert "Tagged story" in client.get(world.url).content.decode()
    assert "Tagged story" in client.get("/tags/diplomacy/").content.decode()
    assert client.get("/tags/unknown-tag/").status_code == 404


@pytest.mark.django_db
def test_tree_rules():
    assert StoryPage.parent_page_types == ["articles.SectionPage"]
    assert SectionPage.parent_page_types == ["articles.HomePage"]
    assert HomePage.parent_page_types == ["wagtailcore.Page"]
    assert StoryPage.can_create_at(Page()) is False


@pytest.mark.django_db
def test_unknown_access_level_is_refused_and_read_as_metered(make_story):
    story = make_story()
    story.access_level = "everyone"
    with pytest.raises(ValidationError):
        story.save()
    assert effective_access_level("everyone") == AccessLevel.METERED
    assert effective_access_level(None) == AccessLevel.METERED
    assert effective_access_level("free") == AccessLevel.FREE


@pytest.mark.django_db
def test_search_shows_standfirst_never_body(client, make_story):
    make_story(
        "Monsoon arrives early", paragraphs=["Zebraword appears only in the body of this story."]
    )
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    html = client.get("/search/?q=monsoon").content.decode()
    assert "Monsoon arrives early" in html
    assert "A standfirst that sums the story up." in html
    assert "Zebraword" not in html
    body_hit = client.get("/search/?q=zebraword").content.decode()
    assert "Zebraword appears" not in body_hit


@pytest.mark.django_db
def test_search_handles_bad_input(client, home):
    assert client.get("/search/").status_code == 200
    assert client.get("/search/?q=" + "x" * 5000).status_code == 200
    assert client.get("/search/?q=%00%27%22<script>").status_code == 200
    assert client.get("/search/?q=a&page=notanumber").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_reader_pages_refuse_other_methods(client, make_story, world, method):
    """Stories, sections and the front page answer GET and HEAD only (405 with Allow),
    and a refused request neither shows the story nor uses a free story."""
    from masthead.metering.models import MeterView

    story = make_story("Only read here", access_level=AccessLevel.METERED)
    for url in (story.url, world.url, "/", "/tags/diplomacy/"):
        response = getattr(client, method)(url)
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD"
        assert b"Only read here" not in response.content
    assert client.head(story.url).status_code == 200
    assert not MeterView.objects.exists()
