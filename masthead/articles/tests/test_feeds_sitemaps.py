import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from lxml import etree

from masthead.articles.models import AccessLevel

SECRET = "The secret second paragraph only entitled readers may see."


@pytest.fixture
def stories(make_story):
    now = timezone.now()
    return [
        make_story(
            "A free story", access_level=AccessLevel.FREE, published_at=now - timedelta(hours=2)
        ),
        make_story(
            "A metered story",
            paragraphs=["Open lead.", SECRET],
            published_at=now - timedelta(hours=1),
        ),
        make_story(
            "An old subscriber story",
            access_level=AccessLevel.SUBSCRIBERS,
            paragraphs=["Lead.", SECRET],
            published_at=now - timedelta(days=5),
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/feeds/latest.rss", "/feeds/latest.atom", "/feeds/world.rss", "/feeds/world.atom"]
)
def test_feeds_parse_and_carry_only_headline_and_standfirst(client, stories, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert titles[:2] == ["A metered story", "A free story"]
    for entry in feed.entries:
        assert entry.summary == "A standfirst that sums the story up."
        assert entry.link.startswith("http")
    assert SECRET not in response.content.decode()


@pytest.mark.django_db
def test_unknown_section_feed_is_404(client, stories):
    assert client.get("/feeds/no-such-section.rss").status_code == 404


@pytest.mark.django_db
def test_sitemap_lists_stories_and_is_valid_xml(client, stories):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [el.text for el in root.findall("s:url/s:loc", ns)]
    assert any(loc.endswith(stories[1].url) for loc in locs)
    assert all(loc.startswith("http") for loc in locs)


@pytest.mark.django_db
def test_news_sitemap_has_only_last_48_hours(client, stories):
    response = client.get("/news-sitemap.xml")
    root = etree.fromstring(response.content)
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "n": "http://www.google.com/schemas/sitemap-news/0.9",
    }
    titles = [el.text for el in root.findall("s:url/n:news/n:title", ns)]
    assert sorted(titles) == ["A free story", "A metered story"]
    dates = [el.text for el in root.findall("s:url/n:news/n:publication_date", ns)]
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", d) for d in dates)
    assert root.find("s:url/n:news/n:publication/n:language", ns).text == "en"


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_story_jsonld_and_social_tags(client, stories, settings):
    story = stories[1]
    story.dateline = "Moscow"
    story.save_revision().publish()
    html = client.get(story.url).content.decode()
    data = _jsonld(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "A metered story"
    assert data["dateline"] == "Moscow"
    assert data["datePublished"].endswith("+05:30")
    assert data["dateModified"].endswith("+05:30")
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"]["cssSelector"] == ".story__gated"
    assert data["publisher"]["name"] == settings.MASTHEAD_SITE_NAME
    assert "articleBody" not in data
    assert f'<link rel="canonical" href="{settings.SITE_URL}{story.url}">' in html
    assert '<meta property="og:description" content="A standfirst that sums the story up.">' in html
    assert '<meta name="twitter:card"' in html


@pytest.mark.django_db
def test_free_story_jsonld_is_accessible_for_free(client, stories):
    data = _jsonld(client.get(stories[0].url).content.decode())
    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data


@pytest.mark.django_db
def test_jsonld_escapes_script_breakers(client, make_story):
    story = make_story("Headline </script><script>alert(1)</script>")
    html = client.get(story.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert _jsonld(html)["headline"].startswith("Headline </script>")


@pytest.mark.django_db
def test_sitemap_links_use_the_site_url_origin(client, settings, make_story):
    from masthead.articles.services import sync_site_with_site_url

    story = make_story("Sitemap origin story")
    settings.SITE_URL = "http://127.0.0.1:8000"
    sync_site_with_site_url()
    client.get("/sitemap.xml")  # cached, with Wagtail's site root paths cached too
    assert story.full_url.startswith("http://127.0.0.1:8000/")
    settings.SITE_URL = "http://127.0.0.1:8977"  # the site is served on another port
    sync_site_with_site_url()
    fresh = type(story).objects.get(pk=story.pk)
    assert fresh.full_url == f"http://127.0.0.1:8977{story.url}"
    root = etree.fromstring(client.get("/sitemap.xml").content)
    locs = [
        el.text
        for el in root.findall(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}url/{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    assert f"http://127.0.0.1:8977{story.url}" in locs
