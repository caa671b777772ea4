"""Search work is bounded: at most 10 words of two letters or more and 100 characters
(the page says what was left out), and a per-client rate limit answers 429 with
``Retry-After``."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from masthead.search.query import MAX_QUERY_LENGTH, MAX_TERMS, bound_query

SIXTY_SHORT_WORDS = " ".join(f"w{i}" for i in range(60))  # 60 different words, 199 chars


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


def test_sixty_words_become_the_first_ten_with_a_note():
    query = bound_query(SIXTY_SHORT_WORDS)
    assert query.text.split() == [f"w{i}" for i in range(MAX_TERMS)]
    assert f"Searched for the first {MAX_TERMS} words." in query.notes


def test_one_letter_words_repeats_and_common_words_are_left_out():
    query = bound_query("a flood b in the Flood city c")
    assert query.text == "flood city"
    assert "Words of one letter were left out." in query.notes
    assert any("Common words" in n for n in query.notes)
    # a query of common words only is searched as written
    assert bound_query("of the and").text == "of the and"
    assert bound_query("x y z").text == ""


def test_long_words_are_cut_at_the_character_cap_never_mid_word():
    words = [c * 30 for c in "abcdef"]
    query = bound_query(" ".join(words))
    assert query.text == " ".join(words[:3]) and len(query.text) <= MAX_QUERY_LENGTH
    assert f"Searched for the first {MAX_QUERY_LENGTH} characters." in query.notes
    one = bound_query("q" * 500)
    assert one.text == "q" * MAX_QUERY_LENGTH and one.notes


def test_plain_queries_are_untouched():
    query = bound_query('monsoon "floods" (delhi)')
    assert query.text == "monsoon floods delhi" and query.notes == []


@pytest.mark.django_db
def test_search_page_says_what_it_searched_for(client, make_story):
    make_story("Monsoon floods reach Delhi")
    call_command("update_index", verbosity=0)
    long_query = "monsoon delhi " + " ".join(f"zz{i}" for i in range(40))
    response = client.get("/search/", {"q": long_query})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Searched for the first {MAX_TERMS} words." in html
    searched = "monsoon delhi " + " ".join(f"zz{i}" for i in range(8))  # the 10 words searched
    assert f"for “{searched}”" in html
    response = client.get("/search/", {"q": "monsoon a delhi"})
    html = response.content.decode()
    assert "Monsoon floods reach Delhi" in html and "Words of one letter were left out." in html


@pytest.mark.django_db
@override_settings(MASTHEAD_SEARCH_RATE_LIMIT=3)
def test_too_many_searches_get_429_with_retry_after(client, home):
    for _ in range(3):
        assert client.get("/search/", {"q": "monsoon"}).status_code == 200
    assert client.get("/search/").status_code == 200  # the empty page runs no search
    response = client.get("/search/", {"q": "monsoon"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "no-store" in response["Cache-Control"]
    assert "searching very fast" in response.content.decode()
    # another client is not slowed down by this one
    other = client.get("/search/", {"q": "monsoon"}, REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


@pytest.mark.django_db
@override_settings(MASTHEAD_SEARCH_RATE_LIMIT=2, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_readers_are_limited_by_their_own_address(client, home):
    """Every request comes from the proxy (one REMOTE_ADDR); X-Forwarded-For names the reader.
    Each search asks for other words, so no stored page answers in place of the view."""
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    reader = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", **proxy}
    for word in ("kestrel", "osprey"):
        assert client.get("/search/", {"q": word}, **reader).status_code == 200
    assert client.get("/search/", {"q": "heron"}, **reader).status_code == 429
    other = client.get("/search/", {"q": "plover"}, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert other.status_code == 200
