"""Template tags that split a story into the lead-in and the gated part."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.utils.safestring import mark_safe

from masthead.articles.models import AccessLevel
from masthead.metering.services import METER_SLOT, Entitlement, decide

register = template.Library()


@dataclass
class StoryAccess:
    """What a template may render of a story.

    ``lead_blocks``: body blocks shown to everyone (up to and including the first
    paragraph; when gated, only that first paragraph). ``gated_blocks``: the rest,
    and EMPTY when the reader is not entitled, so no template can leak it.
    ``gated``: the story has a gated part at all (metered/subscribers).
    """

    entitlement: Entitlement
    gated: bool
    lead_blocks: list[Any] = field(default_factory=list)
    gated_blocks: list[Any] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.entitlement.full


def split_body(story: Any, entitlement: Entitlement) -> StoryAccess:
    """Split ``story.body`` for ``entitlement`` (see :class:`StoryAccess`).

    The lead-in of a gated story is its first paragraph only when something follows it:
    a story whose first paragraph is the last block (a short story, a brief) has an
    empty lead-in, or the prompt would sit under the whole story.
    """
    blocks = list(story.body)
    gated = story.effective_access_level != AccessLevel.FREE
    first_para = next((i for i, b in enumerate(blocks) if b.block_type == "paragraph"), None)
    if gated and first_para is not None and first_para == len(blocks) - 1:
        first_para = None  # nothing after it: the whole body is the gated part
    if not entitlement.full:
        lead = [blocks[first_para]] if first_para is not None else []
        return StoryAccess(entitlement, gated, lead, [])
    if not gated:
        return StoryAccess(entitlement, gated, blocks, [])
    cut = (first_para + 1) if first_para is not None else 0
    return StoryAccess(entitlement, gated, blocks[:cut], blocks[cut:])


@register.simple_tag(takes_context=True)
def story_access(context: template.Context, story: Any) -> StoryAccess:
    """``{% story_access page as access %}``: decide (and count) once, then split the body."""
    request = context.get("request")
    return split_body(story, decide(request, story))


@register.simple_tag
def meter_slot() -> str:
    """``{% meter_slot %}``: where the reader's meter line goes. The story view fills it
    per request (:func:`masthead.metering.services.meter_html`), so a cached story
    variant holds the slot, never one reader's count."""
    return mark_safe(METER_SLOT)  # noqa: S308 - a fixed HTML comment


@register.simple_tag(takes_context=True)
def member_allowance(context: template.Context) -> int:
    """The monthly allowance of a signed-in member (site setting)."""
    from masthead.metering.services import member_limit

    return member_limit(context.get("request"))
