import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from masthead.articles.models import StoryPage
from masthead.articles.text_import import parse_story_file
from masthead.conftest import shared_path


@pytest.mark.django_db
def test_seed_imports_and_page_shows_exactly_the_story(client, home):
    seed = shared_path("seed/000_340efefdbb3cb629.txt")
    call_command("import_story_text", str(seed), "--section", "world", stdout=StringIO())
    story = StoryPage.objects.get()
    response = client.get(story.url)
    assert response.status_code == 200
    html = response.content.decode()
    parsed = parse_story_file(seed)
    assert (
        '<h1 id="story-headline" class="story__headline">Moscow invites Taliban to Afghanistan talks on Oct. 20</h1>'
        in html
    )
    assert (
        '<p class="story__standfirst">Putin discusses Afghan situation with Tajik President</p>'
        in html
    )
    assert (
        '<p class="story__dateline">October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow</p>'
        in html
    )
    assert "<figcaption>A Taliban soldier in Kabul.</figcaption>" in html
    body = html.split('class="story__body"', 1)[1].split("</article>", 1)[0]
    text = re.sub(r"<[^>]+>", "", body).replace("&#x27;", "'")
    for paragraph in parsed.paragraphs:
        assert paragraph in text
    for chrome in [
        "0 / 0",
        "Sign in to unlock",
        "Access 10 free stories",
        "We have migrated",
        "Comments have to be in English",
    ]:
        assert chrome not in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_reimport_updates_instead_of_duplicating(home, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "First headline\n\nStandfirst.\n\nMarch 05, 2026 10:00 am IST - Pune\n\nThe body paragraph is written here in full.\n"
    )
    call_command("import_story_text", str(path), "--section", "india", stdout=StringIO())
    story = StoryPage.objects.get()
    path.write_text(path.read_text().replace("First headline", "Corrected headline"))
    out = StringIO()
    call_command("import_story_text", str(path), "--section", "india", stdout=out)
    assert "Updated story" in out.getvalue()
    assert StoryPage.objects.count() == 1
    again = StoryPage.objects.get()
    assert again.pk == story.pk and again.title == "Corrected headline" and again.url == story.url


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "October 07, 2021 09:31 pm IST - Moscow\n\nBody paragraph that is long enough.\n",
            "missing headline",
        ),
        (
            "Headline only\n\nStandfirst\n\nA body paragraph without any date line at all.\n",
            "missing date",
        ),
    ],
)
def test_bad_file_gives_clear_error_and_creates_nothing(home, tmp_path: Path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_story_text", str(path), "--section", "world", stdout=StringIO())
    assert StoryPage.objects.count() == 0


@pytest.mark.django_db
def test_missing_file_and_non_utf8(home, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_story_text", str(tmp_path / "nope.txt"), "--section", "world")
    bad = tmp_path / "latin.txt"
    bad.write_bytes("Caf\xe9 headline\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_story_text", str(bad), "--section", "world")


@pytest.mark.django_db
def test_reimport_keeps_the_editors_access_level_and_moves_to_the_named_section(home, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "A headline\n\nStandfirst.\n\nMarch 05, 2026 10:00 am IST - Pune\n\nThe body paragraph is written here in full.\n"
    )
    call_command("import_story_text", str(path), "--section", "india", stdout=StringIO())
    story = StoryPage.objects.get()
    assert story.access_level == "metered"
    story.access_level = "free"
    story.save_revision().publish()
    call_command("import_story_text", str(path), "--section", "business", stdout=StringIO())
    story = StoryPage.objects.get()
    assert story.access_level == "free"
    assert story.get_parent().slug == "business" and story.url.startswith("/business/")
    call_command(
        "import_story_text",
        str(path),
        "--section",
        "business",
        "--access",
        "subscribers",
        stdout=StringIO(),
    )
    assert StoryPage.objects.get().access_level == "subscribers"
