"""Helpers to read what a story page shows."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.test import Client


def simultaneously(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every callable on its own thread, released together by a barrier, each with
    its own database connection (closed afterwards); return their results in completion
    order. Re-raises nothing: fails the test if any call raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcome = call()
            with lock:
                results.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def body_state(client: Client, story) -> tuple[bool, str]:  # noqa: ANN001
    """GET the story; return (full body shown, html). Asserts the lead-in is always there."""
    response = client.get(story.url)
    assert response.status_code == 200
    html = response.content.decode()
    paragraphs = story.paragraphs_text
    assert paragraphs[0] in html
    shown_rest = [p for p in paragraphs[1:] if p in html]
    full = len(shown_rest) == len(paragraphs) - 1
    assert full or not shown_rest, "a gated page showed part of the gated text"
    return full, html
