"""Browser tests of account trust, in Chromium against the live server: a squatter's
unverified sign-up never hands over the owner's account or old comments, and a stolen
session cannot add an address without the password."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail

from masthead.accounts.tests.test_ownership import import_old_comment
from masthead.testing.browser import (
    signed_in_context,
    wagtail_root,  # noqa: F401 - autouse fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWNER = "owner@example.org"
SQUATTER_PASSWORD = "squatter knows this 42"  # noqa: S105 - test data
OWNER_PASSWORD = "owner chose this one 42"  # noqa: S105 - test data
OLD_COMMENT = "An old comment the owner wrote years ago."


@pytest.fixture
def site(live_server, settings):  # noqa: ANN001, ANN201
    """The live server, with SITE_URL pointing at it (links in mail are clickable)."""
    settings.SITE_URL = live_server.url
    return live_server.url


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def sign_up(page, site: str, email: str, password: str) -> None:  # noqa: ANN001
    page.goto(site + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")


def sign_in_with_password(page, site: str, email: str, password: str) -> bool:  # noqa: ANN001
    page.goto(site + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    return "/accounts/" not in page.url


def test_a_squatter_never_gets_the_owners_account_or_old_comments(
    browser, site, make_story, tmp_path, artifacts_dir: Path
):
    import_old_comment(make_story(), OWNER, tmp_path)
    squatter = browser.new_context().new_page()
    owner = browser.new_context().new_page()

    # A squatter signs up with the owner's address and never verifies it.
    sign_up(squatter, site, OWNER, SQUATTER_PASSWORD)
    assert len(mails_to(OWNER)) == 1

    # The owner signs up: the page says an email was sent, and it was.
    sign_up(owner, site, OWNER, OWNER_PASSWORD)
    assert len(mails_to(OWNER)) == 2
    owner.screenshot(path=str(artifacts_dir / "accounts-owner-verification-sent.png"))

    # The owner signs in with an emailed code instead of clicking the link.
    owner.goto(site + "/accounts/login/code/")
    owner.fill("input[name=email]", OWNER)
    owner.locator("main form button[type=submit]").click()
    owner.wait_for_url("**/accounts/login/code/confirm/")
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mails_to(OWNER)[-1].body, re.M).group(1)
    owner.fill("input[name=code]", code)
    owner.locator("main form button[type=submit]").first.click()
    owner.wait_for_load_state("load")
    assert "/accounts/" not in owner.url

    # "My comments" shows the owner's old comment.
    owner.goto(site + "/comments/mine/")
    assert OLD_COMMENT in owner.locator("main").inner_text()
    owner.screenshot(path=str(artifacts_dir / "accounts-owner-my-comments.png"))

    # The squatter's password opens nothing; the owner's own password works.
    assert not sign_in_with_password(squatter, site, OWNER, SQUATTER_PASSWORD)
    squatter.goto(site + "/comments/mine/")
    assert OLD_COMMENT not in squatter.content()
    fresh = browser.new_context().new_page()
    assert sign_in_with_password(fresh, site, OWNER, OWNER_PASSWORD)
    for page in (squatter, owner, fresh):
        page.context.close()


def test_the_owner_clicking_the_squatters_link_gets_an_account_without_its_password(
    browser, site, make_story, tmp_path
):
    import_old_comment(make_story(), OWNER, tmp_path)
    squatter = browser.new_context().new_page()
    sign_up(squatter, site, OWNER, SQUATTER_PASSWORD)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mails_to(OWNER)[-1].body)

    owner = browser.new_context().new_page()
    owner.goto(link.group(0))
    owner.get_by_role("button", name="Confirm").click()
    owner.wait_for_load_state("load")
    assert "the password chosen when this account was created was not kept" in owner.content()

    # The squatter's browser, password in hand, still cannot sign in.
    assert not sign_in_with_password(squatter, site, OWNER, SQUATTER_PASSWORD)
    squatter.goto(site + "/comments/mine/")
    assert OLD_COMMENT not in squatter.content()
    for page in (squatter, owner):
        page.context.close()


def test_a_stolen_session_cannot_add_an_address_without_the_password(
    browser, site, alice, artifacts_dir: Path
):
    from masthead.testing.personas import PASSWORD

    # a copied session cookie: no recent authentication
    context = signed_in_context(browser, site, alice)
    page = context.new_page()
    page.goto(site + "/accounts/email/")
    page.fill("input[name=email]", "thief@example.net")
    page.locator("button[name=action_add]").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.screenshot(path=str(artifacts_dir / "accounts-reauthenticate.png"))
    page.fill("input[name=password]", "a guess")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert "/accounts/reauthenticate/" in page.url
    assert mails_to("thief@example.net") == []

    # The reader (who knows the password) confirms; the add goes ahead.
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert len(mails_to("thief@example.net")) == 1
    link = re.search(
        r"https?://\S+/accounts/confirm-email/\S+/", mails_to("thief@example.net")[0].body
    ).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state("load")
    # The old address is told of the change.
    notices = mails_to("alice@example.org")
    assert len(notices) == 1 and "thief@example.net" in notices[0].body

    # Within the re-authentication window the export downloads at once.
    page.goto(site + "/account/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export my data (JSON)").click()
    assert download.value.suggested_filename == "masthead-data.json"
    context.close()
