"""Every allauth page a reader can reach is one of the site's pages: it renders inside
the site's base template (the masthead), is titled with the site's name, speaks in the
site's words rather than allauth's, protects each form with CSRF, labels every field
and never shows the internal user name."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from masthead.accounts.allauth_forms import AddEmailForm
from masthead.testing.personas import PASSWORD

SITE_NAME = "The Harbour Gazette"
INTERNAL_NAME = "zq-internal-handle"  # the member's user name: never on a page
MEMBER_EMAIL = "walker@example.org"

#: allauth's own headings, buttons and sentences, in allauth's casing. The site's
#: templates replace every one of them.
STOCK_PHRASES = [
    "Sign Up",
    "Sign In",
    "Sign Out",
    "E-mail Addresses",
    "Email Addresses",
    "Email Address<",
    "Change Password",
    "Set Password",
    "Make Primary",
    "Re-send Verification",
    "Add Email",
    "Change Email",
    "Current email",
    "Enter Sign-In Code",
    "Request Code",
    "Request new code",
    "Confirm Access",
    "Bad Token",
    "Account Inactive",
    "This account is inactive",
    "Sign Up Closed",
    "Verify Your Email Address",
    "Sign Out Other Sessions",
    "Started At",
    "Remember Me",
    "Current Password",
    "New Password",
    "Password (again)",
    "Enter your password:",
    "We've sent a code to",
    "Do you really want",
    "associated with your account",
]


class PageParts(HTMLParser):
    """Collects the <title>, the post forms (with their CSRF fields) and the fields
    and labels of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self._in_title = False
        self.post_forms: list[dict[str, object]] = []
        self._form: dict[str, object] | None = None
        self.field_ids: list[str] = []
        self.unlabelled_fields: list[str] = []
        self.label_for: set[str] = set()
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "form":
            self._form = {"action": a.get("action"), "csrf": False}
            if (a.get("method") or "get").lower() == "post":
                self.post_forms.append(self._form)
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        elif tag in {"input", "select", "textarea"}:
            kind = (a.get("type") or "text").lower()
            if self._form is not None and a.get("name") == "csrfmiddlewaretoken":
                self._form["csrf"] = True
            if kind in {"hidden", "submit", "button"}:
                return
            if a.get("id"):
                self.field_ids.append(a["id"] or "")
            elif not self._label_depth and not a.get("aria-label"):
                self.unlabelled_fields.append(a.get("name") or tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form = None
        elif tag == "label":
            self._label_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def assert_site_page(html: str, where: str) -> None:
    """The checks every account page must pass."""
    parts = PageParts()
    parts.feed(html)
    assert '<header class="masthead"' in html, f"{where}: not inside the site's base template"
    assert 'class="masthead__title"' in html, where
    assert parts.title.strip().endswith(f"| {SITE_NAME}"), f"{where}: title {parts.title!r}"
    assert re.search(r"<h1[ >]", html), f"{where}: no heading"
    for phrase in STOCK_PHRASES:
        assert phrase not in html, f"{where}: allauth's wording {phrase!r}"
    assert INTERNAL_NAME not in html, f"{where}: shows the internal user name"
    for form in parts.post_forms:
        assert form["csrf"], f"{where}: POST form to {form['action']} without CSRF"
    missing = [i for i in parts.field_ids if i not in parts.label_for and i != "site-search"]
    assert not missing, f"{where}: fields without a label: {missing}"
    assert not parts.unlabelled_fields, f"{where}: {parts.unlabelled_fields}"


@pytest.fixture(autouse=True)
def site_name(settings):  # noqa: ANN001, ANN201
    settings.MASTHEAD_SITE_NAME = SITE_NAME


@pytest.fixture
def member(db):  # noqa: ANN001, ANN201
    user = get_user_model().objects.create_user(
        username=INTERNAL_NAME, email=MEMBER_EMAIL, password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=MEMBER_EMAIL, verified=True, primary=True)
    return user


def visit(client: Client, path: str, template: str) -> str:
    """GET ``path`` (following redirects) and check it ended on ``template``."""
    response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.status_code)
    used = [t.name for t in response.templates]
    assert template in used, f"{path} rendered {used[:3]}, not {template}"
    html = response.content.decode()
    assert_site_page(html, f"{path} ({template})")
    return html


def test_every_page_for_an_anonymous_reader(member):
    client = Client()
    for path, template in [
        ("/accounts/login/", "account/login.html"),
        ("/accounts/signup/", "account/signup.html"),
        ("/accounts/inactive/", "account/account_inactive.html"),
        ("/accounts/confirm-email/", "account/verification_sent.html"),
        ("/accounts/password/reset/", "account/password_reset.html"),
        ("/accounts/password/reset/done/", "account/password_reset_done.html"),
        ("/accounts/password/reset/key/done/", "account/password_reset_from_key_done.html"),
        ("/accounts/password/reset/key/1-not-a-key/", "account/password_reset_from_key.html"),
        ("/accounts/confirm-email/not-a-key/", "account/email_confirm.html"),
        ("/accounts/login/code/", "account/request_login_code.html"),
    ]:
        visit(client, path, template)
    html = visit(
        client, "/accounts/password/reset/key/1-not-a-key/", "account/password_reset_from_key.html"
    )
    assert "This link no longer works" in html


def test_code_sign_in_page(member):
    client = Client()
    response = client.post("/accounts/login/code/", {"email": MEMBER_EMAIL})
    assert response.status_code == 302
    html = visit(client, "/accounts/login/code/confirm/", "account/confirm_login_code.html")
    assert "<title>Sign in with your code | The Harbour Gazette</title>" in html
    assert MEMBER_EMAIL in html  # where the code went: the reader's own address


def test_password_reset_link_page(member):
    key = default_token_generator.make_token(member)
    path = f"/accounts/password/reset/key/{user_pk_to_url_str(member)}-{key}/"
    html = visit(Client(), path, "account/password_reset_from_key.html")
    assert "Choose a new password" in html and 'name="password2"' in html


def test_email_confirmation_page(member):
    address = EmailAddress.objects.create(user=member, email="second@example.org")
    key = EmailConfirmationHMAC(address).key
    html = visit(Client(), f"/accounts/confirm-email/{key}/", "account/email_confirm.html")
    assert "second@example.org" in html


def test_every_page_for_a_signed_in_member(member):
    client = Client()
    client.force_login(member)
    visit(client, "/accounts/email/", "account/email_change.html")
    visit(client, "/accounts/sessions/", "usersessions/usersession_list.html")
    visit(client, "/accounts/logout/", "account/logout.html")
    # Sensitive pages ask for the password first: the re-authentication page, then
    # (after it) the page itself.
    visit(client, "/accounts/password/change/", "account/reauthenticate.html")
    visit(client, "/accounts/reauthenticate/", "account/reauthenticate.html")
    visit(client, "/accounts/reauthenticate/code/", "account/request_reauthentication_code.html")
    response = client.post("/accounts/reauthenticate/code/", {"recipient": MEMBER_EMAIL})
    assert response.status_code == 302
    visit(
        client,
        "/accounts/reauthenticate/code/confirm/",
        "account/confirm_reauthentication_code.html",
    )
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    html = visit(client, "/accounts/password/change/", "account/password_change.html")
    assert 'name="oldpassword"' in html and "Password you use now" in html


def test_set_password_page_for_a_member_without_one(member):
    member.set_unusable_password()
    member.save()
    client = Client()
    client.force_login(member)
    # Without a password the re-check is by emailed code; the page asks for it first.
    visit(client, "/accounts/password/set/", "account/request_reauthentication_code.html")
    client.post("/accounts/reauthenticate/code/", {"recipient": MEMBER_EMAIL})
    visit(
        client,
        "/accounts/reauthenticate/code/confirm/",
        "account/confirm_reauthentication_code.html",
    )
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[-1].body, re.M)
    assert code, mail.outbox[-1].body
    client.post("/accounts/reauthenticate/code/confirm/", {"code": code.group(1)})
    html = visit(client, "/accounts/password/set/", "account/password_set.html")
    assert "Choose a password" in html and 'name="password2"' in html


@pytest.mark.parametrize(
    "template",
    [
        "account/email.html",
        "account/verified_email_required.html",
        "account/signup_closed.html",
    ],
)
def test_pages_allauth_shows_only_in_other_set_ups(member, template):
    """Pages this configuration does not route to (another ACCOUNT_CHANGE_EMAIL, a view
    that needs a confirmed address, sign-ups closed) are the site's too."""
    request = RequestFactory().get("/accounts/")
    request.user = member
    address = EmailAddress.objects.get(user=member)
    context = {
        "emailaddresses": [address],
        "emailaddress_radios": [{"id": "email_radio_1", "checked": True, "emailaddress": address}],
        "can_add_email": True,
        "form": AddEmailForm(user=member),
    }
    assert_site_page(render_to_string(template, context, request=request), template)
