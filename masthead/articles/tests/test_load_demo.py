from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from masthead.articles.demo import demo_story_files
from masthead.articles.models import StoryPage


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_prints_editor_password_once(client, tmp_path):
    shipped = len(list(demo_story_files()))
    assert shipped >= 12
    out = StringIO()
    call_command("load_demo", "--shared", str(tmp_path), stdout=out)  # no shared data here
    assert "password '" in out.getvalue()
    assert StoryPage.objects.count() == shipped
    out2 = StringIO()
    call_command("load_demo", "--shared", str(tmp_path), stdout=out2)
    assert "password '" not in out2.getvalue()
    assert StoryPage.objects.count() == shipped
    assert get_user_model().objects.filter(username="editor", is_superuser=True).count() == 1
    for story in StoryPage.objects.all()[:5]:
        assert client.get(story.url).status_code == 200


@pytest.mark.django_db
def test_every_shipped_demo_story_parses():
    from masthead.articles.demo import parse_demo_file

    for _section, path in demo_story_files():
        story = parse_demo_file(path)
        assert story.headline and story.paragraphs and story.published_at
