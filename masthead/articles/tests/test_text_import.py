import pytest

from masthead.articles.text_import import (
    StoryTextError,
    is_chrome,
    parse_story_file,
    parse_story_text,
)
from masthead.conftest import shared_path

SEED_PARAGRAPH_STARTS = [
    "Russia will invite",
    "Zamir Kabulov",
    "Moscow hosted",
    "Since then",
    "Russia is worried",
    "Mr. Putin on Thursday",
]


def test_seed_file_parses_exactly():
    story = parse_story_file(shared_path("seed/000_340efefdbb3cb629.txt"))
    assert story.headline == "Moscow invites Taliban to Afghanistan talks on Oct. 20"
    assert story.standfirst == "Putin discusses Afghan situation with Tajik President"
    assert story.dateline == "Moscow"
    assert story.caption == "A Taliban soldier in Kabul."
    assert [
        p.split(",")[0][: len(s)]
        for p, s in zip(story.paragraphs, SEED_PARAGRAPH_STARTS, strict=True)
    ] == SEED_PARAGRAPH_STARTS
    assert not any("Sign in" in p or "0 / 0" in p or "guidelines" in p for p in story.paragraphs)


OTHER_CHROME = """Harbour cranes arrive at the new terminal

The first of six cranes was unloaded on Friday.

March 05, 2026 10:00 am IST - Kochi

The terminal will open in June, the port authority said in a statement on Friday afternoon.

Officials expect traffic to double within three years, according to the authority's own forecast.

12 / 40

Create an account to keep reading our reporting on ports and shipping.

Most read
"""


def test_chrome_is_dropped_by_shape_not_by_seed_words():
    story = parse_story_text(OTHER_CHROME)
    assert story.caption == ""
    assert len(story.paragraphs) == 2
    assert story.paragraphs[-1].startswith("Officials expect")


@pytest.mark.parametrize(
    ("block", "chrome"),
    [
        ("0 / 0", True),
        ("• Save stories to read later", True),
        ("Comments", True),
        ("Please sign in to continue reading.", True),
        (
            "Zamir Kabulov did not provide details in comments carried by Russian news agencies.",
            False,
        ),
    ],
)
def test_is_chrome(block, chrome):
    assert is_chrome(block) is chrome


def test_missing_headline_or_date_is_named():
    with pytest.raises(StoryTextError, match="missing headline"):
        parse_story_text("")
    with pytest.raises(StoryTextError, match="missing date"):
        parse_story_text(
            "A headline\n\nA standfirst\n\nA body paragraph that goes on for a while.\n"
        )
    with pytest.raises(StoryTextError, match="missing headline"):
        parse_story_text(
            "October 07, 2021 09:31 pm IST - Moscow\n\nBody text that is long enough here.\n"
        )
    with pytest.raises(StoryTextError, match="missing body"):
        parse_story_text(
            "Headline\n\nStandfirst\n\nOctober 07, 2021 09:31 pm IST - Moscow\n\nSign in\n"
        )
