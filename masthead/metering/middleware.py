"""Sets/clears the anonymous meter cookie; keeps reader-dependent responses out of shared caches."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from masthead.metering.services import COOKIE_NAME, cookie_settings


class MeterMiddleware:
    """After the view:

    * a new anonymous meter id (``request._masthead_meter_new_id``) is written to the
      signed cookie; ``request._masthead_meter_clear`` (set when the meter moved onto
      an account) deletes it;
    * a response that depended on the reader (a meter decision, the meter itself, or
      any page for a signed-in user) gets ``Cache-Control: private`` and
      ``Vary: Cookie`` (RFC 9111 §5.2.2.7), so shared caches never store it. Pages
      that are the same for everyone are left cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_masthead_meter_clear", False):
            response.delete_cookie(COOKIE_NAME, samesite="Lax")
        else:
            new_id = getattr(request, "_masthead_meter_new_id", None)
            if new_id:
                response.set_signed_cookie(COOKIE_NAME, new_id, **cookie_settings())
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if getattr(request, "_masthead_reader_dependent", False) or signed_in:
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie",))
        return response
