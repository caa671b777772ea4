"""What a site on the open web meets before Django: shared links full of tracking
parameters, and requests with more header bytes than any browser sends.

:class:`OpenWebGuard` is the outermost WSGI layer (``masthead.wsgi``):

* **Tracking parameters** (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ...) are
  taken out of ``QUERY_STRING`` before the edge cache or Django see the request. A
  shared link ``/world/story/?utm_source=x&fbclid=y`` is then the same page as
  ``/world/story/``: answered from the shared cache (a query string with unknown
  parameters is never cached, see :func:`masthead.core.page_cache.cacheable_query`),
  and never echoed into the page (canonical URL, sign-in ``next`` links). The browser
  keeps its address, so analytics that read it in the page still see the campaign.
* **Header limit.** granian answers 431 only past its own buffer (about 400 KiB) or
  100 header lines, and a client still sending then sees the connection reset. Below
  that, a request whose header lines add up to more than
  ``MASTHEAD_MAX_HEADER_BYTES`` (default 32 KiB, as nginx's default buffers) is
  answered ``431 Request Header Fields Too Large`` here, with a short page, before
  any work is done for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Exact names of click and campaign identifiers added by ad, social and mail platforms.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gclsrc",
        "dclid",  # Google Display
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "mc_cid",  # Mailchimp
        "mc_eid",
        "yclid",  # Yandex
        "twclid",  # X / Twitter
        "ttclid",  # TikTok
        "li_fat_id",  # LinkedIn
        "igshid",  # Instagram
        "_ga",  # Google Analytics cross-domain
        "_gl",
        "mkt_tok",  # Marketo
        "oly_anon_id",  # Omeda
        "oly_enc_id",
        "vero_id",
        "_hsenc",  # HubSpot
        "_hsmi",
        "hsctatracking",
        "ref_src",
        "ref_url",
    }
)
#: Name prefixes of campaign parameters (Google Analytics' ``utm_source`` and friends,
#: Piwik/Matomo's ``pk_campaign`` and ``mtm_source``).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

DEFAULT_MAX_HEADER_BYTES = 32 * 1024


def is_tracking_param(name: str) -> bool:
    """Whether a (raw, possibly percent-encoded) parameter name is a tracking parameter."""
    lower = name.lower()
    return lower in TRACKING_PARAMS or lower.startswith(TRACKING_PREFIXES)


def strip_tracking(query_string: str) -> str:
    """``query_string`` without tracking parameters; the others keep their order and bytes."""
    if not query_string:
        return query_string
    parts = query_string.split("&")
    kept = [p for p in parts if p and not is_tracking_param(p.partition("=")[0])]
    if len(kept) == len(parts):
        return query_string
    return "&".join(kept)


def header_bytes(environ: dict[str, Any]) -> int:
    """Bytes of the request's header lines (``Name: value`` each, as sent)."""
    total = 0
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            total += len(key) - 5 + 2 + len(value)
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            total += len(key) + 2 + len(value)
    return total


_TOO_LARGE_BODY = (
    b"<!doctype html><html lang=en><meta charset=utf-8>"
    b"<title>Request headers too large</title>"
    b"<h1>Request headers too large</h1>"
    b"<p>Your browser sent more header data than this site accepts, often because of "
    b"too many or too large cookies. Clear this site's cookies and try again.</p></html>"
)


class OpenWebGuard:
    """The outermost WSGI layer (see module doc)."""

    def __init__(self, app: WSGIApp, max_header_bytes: int | None = None) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes or int(
            getattr(settings, "MASTHEAD_MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES)
        )

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if header_bytes(environ) > self.max_header_bytes:
            start_response(
                "431 Request Header Fields Too Large",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(_TOO_LARGE_BODY))),
                    ("Cache-Control", "no-store"),
                    ("Connection", "close"),
                ],
            )
            return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else _TOO_LARGE_BODY]
        query = environ.get("QUERY_STRING", "")
        if query:
            stripped = strip_tracking(query)
            if stripped != query:
                environ["QUERY_STRING"] = stripped
                environ["masthead.tracking_stripped"] = query
        return self.app(environ, start_response)
