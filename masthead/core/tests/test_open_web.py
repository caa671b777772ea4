"""The site on the open web: robots.txt, tracking parameters out of the cache key and the
page, and 431 for requests with oversized headers (also through granian on the wire)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from masthead.articles.models import AccessLevel
from masthead.core.open_web import OpenWebGuard, header_bytes, strip_tracking
from masthead.core.tests.test_edge import Wire

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Wire:
    """Requests through ``OpenWebGuard(EdgeCache(Django))``, as ``masthead.wsgi`` builds it."""
    monkeypatch.setattr("masthead.core.edge.close_old_connections", lambda: None)
    wire = Wire()
    wire.edge = OpenWebGuard(wire.edge)
    return wire


def test_strip_tracking_keeps_other_parameters_in_order() -> None:
    assert strip_tracking("utm_source=x&page=2&fbclid=abc&sort=new&UTM_Medium=m") == (
        "page=2&sort=new"
    )
    assert strip_tracking("gclid=1&mc_cid=2&mc_eid=3&msclkid=4&_ga=5&pk_campaign=6") == ""
    assert strip_tracking("q=utm_source") == "q=utm_source"  # values are not names
    assert strip_tracking("") == ""


@pytest.mark.django_db
def test_shared_links_with_tracking_parameters_are_cached_pages(guarded, make_story) -> None:
    story = make_story("Shared widely", access_level=AccessLevel.FREE)
    first = guarded.get(story.url + "?utm_source=facebook&utm_medium=social&fbclid=IwAR0abc")
    assert first.status.startswith("200")
    # another campaign's link, and the plain URL: the same cached page, from the edge
    second = guarded.get(story.url + "?utm_source=newsletter&mc_cid=123&mc_eid=456")
    plain = guarded.get(story.url)
    assert second.from_edge and plain.from_edge
    assert second.body == plain.body == first.body
    # nothing of the campaign is echoed into the page (canonical URL, sign-in links)
    for name in ("utm_source", "fbclid", "mc_cid", "IwAR0abc"):
        assert name not in first.body
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', first.body)
    assert canonical and canonical.group(1).endswith(story.url)  # no query string


@pytest.mark.django_db
def test_a_query_the_page_reads_is_kept(guarded, make_story, home) -> None:
    section = make_story("One", access_level=AccessLevel.FREE).get_parent()
    answer = guarded.get(section.url + "?page=1&gclid=xyz")
    assert answer.status.startswith("200")
    again = guarded.get(section.url + "?page=1&utm_campaign=spring")
    assert again.from_edge or again.headers.get("X-Masthead-Cache") == "hit"


@pytest.mark.django_db
def test_oversized_headers_are_answered_431(guarded, make_story) -> None:
    story = make_story("Any", access_level=AccessLevel.FREE)
    environ = guarded.rf.get(story.url, HTTP_COOKIE="x=" + "a" * 40_000).environ
    assert header_bytes(environ) > 32 * 1024
    seen: dict[str, object] = {}

    def start_response(status, headers, exc_info=None):  # noqa: ANN001, ANN202
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(guarded.edge(environ, start_response))
    assert seen["status"] == "431 Request Header Fields Too Large"
    assert b"Request headers too large" in body and b"cookies" in body
    assert guarded.get(story.url).status.startswith("200")  # a normal request is served


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemaps(client, settings) -> None:
    settings.SITE_URL = "https://news.example.org"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: https://news.example.org/sitemap.xml" in lines
    assert "Sitemap: https://news.example.org/news-sitemap.xml" in lines
    assert "Disallow: /admin/" in lines and "Disallow: /accounts/" in lines
    assert client.get("/sitemap.xml").status_code == 200  # what it points at exists
    assert client.post("/robots.txt").status_code == 405


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        try:
            conn.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return conn.recv(200)
        except ConnectionResetError:
            return b"(reset)"


def test_granian_answers_431_for_oversized_headers_on_the_wire() -> None:
    granian = shutil.which("granian", path=os.path.dirname(sys.executable))
    if not granian:
        pytest.skip("granian is not installed in this environment")
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603
        [
            granian,
            "--interface",
            "wsgi",
            "--port",
            str(port),
            "--workers",
            "1",
            "masthead.core.tests.wsgi_guard_app:application",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "granian did not start"
                time.sleep(0.2)
        head = b"GET /?utm_source=x&page=2 HTTP/1.1\r\nHost: x\r\n"
        ok = _exchange(port, head + b"Cookie: a=b\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200") and ok.endswith(b"query=page=2")
        big = _exchange(port, head + b"Cookie: a=" + b"b" * 40_000 + b"\r\n\r\n")
        assert big.startswith(b"HTTP/1.1 431")
        many = _exchange(port, head + b"".join(b"X-H%d: v\r\n" % i for i in range(120)) + b"\r\n")
        assert many.startswith(b"HTTP/1.1 431")  # granian's own limit: 100 header lines
    finally:
        proc.terminate()
        proc.wait(timeout=10)
