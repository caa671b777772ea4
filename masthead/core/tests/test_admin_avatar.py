"""The editor's avatar in the admin is an image the site serves itself (not Gravatar)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_admin_avatar_is_a_working_local_image(client) -> None:
    editor = get_user_model().objects.create_superuser(
        "editor", "editor@masthead.example", "a-long-password-1"
    )
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    avatars = re.findall(r'<img[^>]+class="[^"]*avatar[^"]*"[^>]*>|<img[^>]*avatar[^>]*>', page)
    assert avatars, "no avatar image on the admin dashboard"
    for tag in avatars:
        src = re.search(r'src="([^"]+)"', tag).group(1)
        assert "gravatar" not in src, src
        assert src.startswith("/static/"), src
        # the file collectstatic ships (the test client does not serve /static/)
        from django.contrib.staticfiles import finders

        path = finders.find(src.removeprefix("/static/").split("?")[0])
        assert path, src
        with open(path, "rb") as fh:
            head = fh.read(8)
        # an image browsers show (Wagtail ships a JPEG under the .png name)
        assert head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")), head
