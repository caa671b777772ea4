"""Helpers to read what a story page shows."""

from __future__ import annotations

from django.test import Client


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
