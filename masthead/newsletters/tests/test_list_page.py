"""The newsletters page lists each newsletter once, and the site links to it."""

from __future__ import annotations

import pytest

from masthead.newsletters.tests.conftest import make_member

pytestmark = pytest.mark.django_db


def _count(html: str, text: str) -> int:
    return html.count(text)


def test_anonymous_readers_see_each_newsletter_once_in_the_signup_form(
    client, newsletter, second_newsletter, offers_list
):
    html = client.get("/newsletters/").content.decode()
    assert _count(html, "Morning Briefing") == 1
    assert _count(html, "Weekend Reads") == 1
    assert _count(html, "news by 7am.") == 1  # its description, once
    # the one list is the form's: ticking a name signs up for it
    assert f'name="newsletters" value="{newsletter.pk}"' in html
    assert f'value="{offers_list.pk}"' not in html  # offers are the separate consent box


def test_a_failed_signup_keeps_the_ticked_newsletter(client, newsletter, second_newsletter):
    response = client.post(
        "/newsletters/signup/", {"email": "not-an-email", "newsletters": [newsletter.pk]}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'value="{newsletter.pk}" checked' in html
    assert f'value="{second_newsletter.pk}" checked' not in html
    assert _count(html, "Morning Briefing") == 1


def test_members_see_each_newsletter_once_with_its_one_click_button(
    client, newsletter, second_newsletter
):
    client.force_login(make_member("reader@example.org"))
    html = client.get("/newsletters/").content.decode()
    assert _count(html, "Morning Briefing") == 2  # the name, and the button's label
    assert _count(html, "<strong>Morning Briefing</strong>") == 1
    assert 'aria-label="Subscribe to Morning Briefing"' in html
    assert _count(html, "news by 7am.") == 1
    assert "Sign up by email" not in html


def test_the_footer_and_the_account_page_link_to_the_newsletters(client, home, newsletter):
    assert 'href="/newsletters/"' in client.get("/").content.decode()
    client.force_login(make_member("reader2@example.org"))
    account = client.get("/account/").content.decode()
    assert 'href="/newsletters/">All our newsletters' in account
