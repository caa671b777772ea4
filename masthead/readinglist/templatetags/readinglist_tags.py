"""``{% is_saved story %}``: whether the signed-in reader saved a story (one query a request)."""

from __future__ import annotations

from typing import Any

from django import template

from masthead.readinglist.services import saved_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def is_saved(context: template.Context, story: Any) -> bool:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    ids = getattr(request, "_masthead_saved_ids", None)
    if ids is None:
        ids = request._masthead_saved_ids = saved_ids(request.user)
    return story.pk in ids
