"""Masking of @handles, #hashtags, URLs and proper names (guidelines.masking)."""

from __future__ import annotations

import pytest

from masthead.moderation.guidelines.masking import PLACEHOLDERS, mask, split_hashtag, story_names


def _masked(text: str, names: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in mask(text, names).spans]


def test_handles_hashtags_urls_are_masked_with_offsets() -> None:
    text = "@rahul_g you are wrong #MakeInIndia see https://example.org/a?b=1 now"
    m = mask(text)
    assert [(s.kind, s.text) for s in m.spans] == [
        ("handle", "@rahul_g"),
        ("hashtag", "#MakeInIndia"),
        ("url", "https://example.org/a?b=1"),
    ]
    for s in m.spans:
        assert text[s.start : s.end] == s.text
    assert m.text == "xxhandle you are wrong xxhashtag see xxurl now"
    assert m.hashtag_words == ("make", "in", "india")
    assert m.without() == "you are wrong see now"
    assert m.kinds() == {"handle": 1, "hashtag": 1, "url": 1}


def test_email_is_one_stretch_not_a_handle() -> None:
    assert _masked("write to editor@example.org please") == [("email", "editor@example.org")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Dick Cheney was vice president when the decision was made.", "Dick Cheney"),
        ("Mr. Butt from the municipal office explained the rules.", "Mr. Butt"),
        ("I met Gandu Rao at the market yesterday.", "Gandu Rao"),
        ("The council in Titwala met Kumar Ho on Monday.", "Kumar Ho"),
        ("Philip K. Dick wrote the story behind the film.", "Philip K. Dick"),
        ("Scunthorpe is a town in Lincolnshire.", "Scunthorpe"),
        ("Shitole scored fifty and Wankhede applauded.", "Shitole"),
        ("we drove from penistone to lightwater", "penistone"),
    ],
)
def test_proper_names_are_masked(text: str, name: str) -> None:
    assert ("name", name) in _masked(text)


def test_capitalised_word_mid_sentence_is_a_name_but_sentence_start_is_not() -> None:
    spans = _masked("Yesterday the mayor of Bhiwandi opened a park. Parks are good.")
    assert spans == [("name", "Bhiwandi")]


@pytest.mark.parametrize(
    "text",
    [
        "you are an Idiot and a dick",  # insults need a neighbour's evidence
        "This Is A Title Case Comment About The Budget",  # capitals are no evidence
        "YOU ARE ALL CORRUPT AND THE SYSTEM IS BROKEN",  # shouting, not names
        "Hai kya scene hai bhai",  # a capitalised Hindi word is not a name
    ],
)
def test_words_that_are_not_names_stay(text: str) -> None:
    assert [k for k, _ in _masked(text) if k == "name"] == []


def test_story_names_are_masked_in_any_case() -> None:
    names = story_names("Cheney defends the war record")
    assert "Cheney" in names
    assert ("name", "cheney") in _masked("i think cheney was right about it", names)


def test_story_names_skip_common_words_of_title_case_headlines() -> None:
    names = story_names("Council Approves New Budget For Scunthorpe", "Dick Cheney Visits")
    assert set(names) == {"Scunthorpe", "Dick", "Cheney"}


def test_split_hashtag_and_placeholders_are_single_tokens() -> None:
    assert split_hashtag("#BlackLivesMatter") == ["black", "lives", "matter"]
    assert split_hashtag("#GST2024") == ["gst", "2024"]
    for token in PLACEHOLDERS.values():
        assert token.isalpha() and token.islower()


def test_mask_never_raises_on_odd_input() -> None:
    for text in ("", "   ", "@", "#", "\u200b", "Ünïcödé Nämes here", "a" * 5000, "@@@@ ####"):
        m = mask(text)
        assert all(text[s.start : s.end] == s.text for s in m.spans)
