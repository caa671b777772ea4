"""Story URL keys (table + hypothesis idempotence) and the old,new mapping file."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.migration.urls import (
    MappingFileError,
    normalise_story_url,
    read_mapping_file,
)

from .conftest import FILES

OLD = ("example.com", "old-example.com", "example.co.uk")

TABLE = [
    ("https://www.example.com/news/story/", "example.com/news/story"),
    ("HTTP://WWW.EXAMPLE.COM/news/Story", "example.com/news/Story"),
    (
        "https://example.com/news/story?utm_source=x&amp=1#comments",
        "example.com/news/story",
    ),
    ("https://example.com/news/story/amp/", "example.com/news/story"),
    ("https://example.com/news/story/amp", "example.com/news/story"),
    ("https://amp.example.com/news/story", "example.com/news/story"),
    ("https://example.com/amp/news/story", "example.com/news/story"),
    ("https://example.com:443/news/story", "example.com/news/story"),
    ("http://example.com:8080/news/story", "example.com:8080/news/story"),
    ("//example.com/news/story", "example.com/news/story"),
    ("example.com/news/story", "example.com/news/story"),
    ("https://old-example.com/news/story", "example.com/news/story"),
    ("https://www.example.co.uk/news/story", "example.com/news/story"),
    ("https://example.com/a/./b/../story//", "example.com/a/story"),
    ("https://example.com/news/story/index.html", "example.com/news/story"),
    ("https://example.com/caf%C3%A9/%7Euser", "example.com/café/~user"),
    ("https://example.com/café/~user", "example.com/café/~user"),
    ("https://example.com/a%2fb", "example.com/a%2Fb"),
    ("https://example.com/100%25", "example.com/100%25"),
    ("https://example.com/a b", "example.com/a%20b"),
    ("https://example.com/bad%FFbyte", "example.com/bad%FFbyte"),
    ("https://https://radio-t.com", "radio-t.com"),
    ("http://xn--bcher-kva.example/x", "bücher.example/x"),
    ("  https://example.com/  ", "example.com"),
    ("/news/story/", "/news/story"),
    ("", ""),
]


@pytest.mark.parametrize(("url", "key"), TABLE)
def test_table(url, key):
    assert normalise_story_url(url, old_hosts=OLD) == key


def test_real_hippo_jessy_url_matches_encoded_form():
    raw = "http://hippo-jessy.com/2017/01/19/为什么Java-long类型的变量在赋值时数值常量要加“L”/"
    encoded = "https://hippo-jessy.com/2017/01/19/%E4%B8%BA%E4%BB%80%E4%B9%88Java-long%E7%B1%BB%E5%9E%8B%E7%9A%84%E5%8F%98%E9%87%8F%E5%9C%A8%E8%B5%8B%E5%80%BC%E6%97%B6%E6%95%B0%E5%80%BC%E5%B8%B8%E9%87%8F%E8%A6%81%E5%8A%A0%E2%80%9CL%E2%80%9D"
    assert normalise_story_url(raw) == normalise_story_url(encoded)


@settings(max_examples=500)
@given(st.text())
def test_idempotent_on_any_text(text):
    key = normalise_story_url(text, old_hosts=OLD)
    assert normalise_story_url(key, old_hosts=OLD) == key


_segment = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
    max_size=8,
)


@settings(max_examples=300)
@given(
    st.sampled_from(["http://", "https://", "//", ""]),
    st.sampled_from(["", "www.", "amp."]),
    st.sampled_from(["example.com", "Example.COM", "news.example.org"]),
    st.lists(_segment, max_size=5),
    st.booleans(),
)
def test_idempotent_and_variant_free_on_urls(scheme, prefix, host, segments, slash):
    url = f"{scheme}{prefix}{host}/" + "/".join(segments) + ("/" if slash else "")
    key = normalise_story_url(url)
    assert normalise_story_url(key) == key
    assert not key.endswith("/") and "?" not in key and "#" not in key
    assert normalise_story_url(url.rstrip() + "?amp=1#x") == key


def test_read_mapping_file():
    mapping = read_mapping_file(FILES / "mapping.csv", old_hosts=OLD)
    assert mapping == {
        "example.com/news/story-1": "/news/story-1/",
        "story-1": "/news/story-1/",
        "example.com/news/story-2": "/news/story-2/",
    }
    assert (
        mapping[normalise_story_url("http://example.com/news/story-2?amp=1", OLD)]
        == "/news/story-2/"
    )


def test_mapping_conflict_names_both_lines():
    with pytest.raises(MappingFileError, match="line 2 already maps") as err:
        read_mapping_file(FILES / "mapping_conflict.csv")
    assert err.value.line == 3


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "empty file"),
        ("from,to\na,/b\n", "header"),
        ("old,new\nhttps://x.com/a,b\n", "start"),
        ("old,new\n,/b\n", "empty"),
    ],
)
def test_mapping_errors(tmp_path, content, match):
    path = tmp_path / "m.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingFileError, match=match):
        read_mapping_file(path)


def test_mapping_missing_file(tmp_path):
    with pytest.raises(MappingFileError, match="not found"):
        read_mapping_file(tmp_path / "nope.csv")
