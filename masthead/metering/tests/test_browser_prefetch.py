"""Browser test: a speculation-rules prefetch never stands in for the story the click is owed.

Chromium prefetches a metered story linked from another page (``<script
type="speculationrules">``) and keeps a 2xx answer to show on the click. The prefetch
may not count, so it is declined (503) and the click loads the story: counted, in full.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from masthead.metering import purpose
from masthead.metering.models import MeterView
from masthead.testing.browser import wagtail_root  # noqa: F401 - autouse fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "Pelican-harbour-gated-paragraph"


def _linking_page(target: str) -> bytes:
    return (
        "<!doctype html><html lang=en><title>Links</title>"
        f'<a id="story-link" href="{target}">Read the story</a>'
        '<script type="speculationrules">'
        f'{{"prefetch":[{{"source":"list","urls":["{target}"]}}]}}'
        "</script></html>"
    ).encode()


def test_a_prefetched_story_opens_in_full_and_counts_once(
    browser, live_server, make_story, monkeypatch
):
    story = make_story(paragraphs=["The free opening.", f"{SECRET} one.", f"{SECRET} two."])
    target = live_server.url + story.url
    declined: list[bool] = []
    real = purpose.declines_prefetch

    def spy(request, entitlement):  # noqa: ANN001, ANN202
        result = real(request, entitlement)
        declined.append(result)
        return result

    monkeypatch.setattr(purpose, "declines_prefetch", spy)

    class Links(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = _linking_page(target)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Links)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        for _ in range(50):  # the prefetch reaches the story within a few seconds
            if declined:
                break
            page.wait_for_timeout(100)
        assert declined == [True], "Chromium never prefetched the story"
        assert MeterView.objects.count() == 0  # a prefetch never counts
        page.click("#story-link")
        page.wait_for_load_state()
        body = page.text_content(".story__body") or ""
        assert SECRET in body and "Continue reading" not in body
        assert MeterView.objects.filter(story_id=story.pk).count() == 1
    finally:
        context.close()
        server.shutdown()
