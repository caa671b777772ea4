"""A password reset through the emailed link proves the address the link was sent to.

allauth's reset link names the account, not the address: an account may hold several
addresses and the reset form mails whichever one was typed. So the link we send carries
one more query parameter, ``to``: the account id and the address, signed. Opening the
link keeps that (checked) in the session; when allauth's ``password_reset`` signal says
the new password is set, :func:`masthead.accounts.ownership.prove_by_password_reset`
marks exactly that address verified on exactly that account.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from allauth.account.utils import url_str_to_user_pk
from allauth.account.views import password_reset_from_key as _allauth_view
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

SALT = "masthead.accounts.reset-address"
#: Session key holding ``{"u": <account id>, "e": <address>}`` between link and reset.
SESSION_KEY = "masthead_reset_address"


def sign_address(user_id: int, email: str) -> str:
    """The signed ``to`` value for a reset link mailed to ``email`` for account ``user_id``."""
    return signing.dumps({"u": user_id, "e": email}, salt=SALT, compress=True)


def read_address(token: str) -> dict[str, Any] | None:
    """``{"u": id, "e": address}`` from a ``to`` value, or ``None`` if forged, altered or
    older than a reset link lives (``PASSWORD_RESET_TIMEOUT``)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        return None
    if isinstance(data, dict) and isinstance(data.get("u"), int) and isinstance(data.get("e"), str):
        return data
    return None


def with_address(url: str, user_id: int, email: str) -> str:
    """``url`` (the reset link) with the signed address added to its query."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode({"to": sign_address(user_id, email)})) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def password_reset_from_key(request: HttpRequest, uidb36: str, key: str) -> HttpResponse:
    """allauth's reset-from-key view, keeping the link's signed address in the session.

    The address is kept only when it names the account in the link. On a GET allauth
    may sign out another account's session (flushing the session), so it is written
    back after allauth's view has run; never after a POST, whose successful reset has
    just used it up (:func:`take_address`).
    """
    kept = request.session.get(SESSION_KEY)
    data = read_address(request.GET.get("to", ""))
    try:
        link_user = url_str_to_user_pk(uidb36)
    except (ValueError, TypeError):
        link_user = None
    if data is not None and str(data["u"]) == str(link_user):
        kept = data
    response = _allauth_view(request, uidb36=uidb36, key=key)
    if request.method == "GET" and kept is not None and str(kept.get("u")) == str(link_user):
        request.session[SESSION_KEY] = kept
    return response


def take_address(request: Any, user_id: int) -> str | None:
    """The address a completed reset proved for ``user_id`` (removed from the session)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    data = session.pop(SESSION_KEY, None)
    if isinstance(data, dict) and data.get("u") == user_id and isinstance(data.get("e"), str):
        return data["e"]
    return None
