"""Which requests may count as reading a story (masthead.metering.purpose)."""

from __future__ import annotations

import pytest

from masthead.metering.purpose import Purpose, is_prefetch, purpose_of


@pytest.mark.parametrize(
    ("method", "meta", "expected"),
    [
        ("GET", {}, Purpose.READ),
        ("GET", {"HTTP_SEC_PURPOSE": "prefetch"}, Purpose.PREFETCH),
        ("GET", {"HTTP_SEC_PURPOSE": "prefetch;prerender"}, Purpose.PREFETCH),
        ("GET", {"HTTP_SEC_PURPOSE": "Prefetch; anonymous-client-ip"}, Purpose.PREFETCH),
        ("GET", {"HTTP_PURPOSE": "prefetch"}, Purpose.PREFETCH),
        ("GET", {"HTTP_X_MOZ": "prefetch"}, Purpose.PREFETCH),
        ("GET", {"HTTP_X_PURPOSE": "preview"}, Purpose.PREFETCH),
        ("GET", {"HTTP_PURPOSE": "", "HTTP_X_MOZ": "other"}, Purpose.READ),
        ("HEAD", {}, Purpose.HEAD),
        ("POST", {}, Purpose.RERENDER),
        ("PUT", {"HTTP_SEC_PURPOSE": "prefetch"}, Purpose.RERENDER),
    ],
)
def test_purpose_of_a_request(method, meta, expected):
    assert purpose_of(method, meta) is expected
    assert expected.counts is (expected is Purpose.READ)


def test_is_prefetch_ignores_unrelated_headers():
    assert not is_prefetch({"HTTP_ACCEPT": "text/html", "HTTP_USER_AGENT": "prefetch-bot"})
