"""Template tags shared by Masthead pages: section navigation, story metadata."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import SafeString, mark_safe

from masthead.articles.models import SectionPage, StoryPage
from masthead.articles.structured_data import news_article

register = template.Library()

from masthead.articles.signal_handlers import SECTION_NAV_CACHE_KEY  # noqa: E402


@register.simple_tag
def section_links() -> list[SectionPage]:
    """Return the live sections in tree order (cached; cleared when a section is published)."""
    sections = cache.get(SECTION_NAV_CACHE_KEY)
    if sections is None:
        sections = list(
            SectionPage.objects.live()
            .public()
            .order_by("path")
            .only("id", "title", "slug", "url_path", "path", "depth")
        )
        cache.set(SECTION_NAV_CACHE_KEY, sections, 300)
    return sections


def jsonld(data: dict[str, Any]) -> SafeString:
    """Return ``data`` as a ``<script type="application/ld+json">`` element.

    ``<``, ``>`` and ``&`` are escaped as in Django's ``json_script`` so text from
    editors cannot close the script element.
    """
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        _json_script_escapes
    )
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def story_meta(context: template.Context, story: StoryPage) -> SafeString:
    """Return canonical link, Open Graph, Twitter card and JSON-LD for ``story``.

    Descriptions use only the standfirst, never body text (see issue on gated text).
    """
    url = settings.SITE_URL + (story.url or "")
    image_url = None
    if story.lead_image_id:
        rendition = story.lead_image.get_rendition("fill-1200x630")
        image_url = (
            settings.SITE_URL + rendition.url if rendition.url.startswith("/") else rendition.url
        )
    parts = [
        format_html('<link rel="canonical" href="{}">', url),
        format_html('<meta name="description" content="{}">', story.standfirst),
        mark_safe('<meta property="og:type" content="article">'),  # noqa: S308
        format_html('<meta property="og:site_name" content="{}">', settings.MASTHEAD_SITE_NAME),
        format_html('<meta property="og:title" content="{}">', story.title),
        format_html('<meta property="og:description" content="{}">', story.standfirst),
        format_html('<meta property="og:url" content="{}">', url),
        format_html(
            '<meta name="twitter:card" content="{}">',
            "summary_large_image" if image_url else "summary",
        ),
        format_html('<meta name="twitter:title" content="{}">', story.title),
        format_html('<meta name="twitter:description" content="{}">', story.standfirst),
    ]
    if story.display_published:
        parts.append(
            format_html(
                '<meta property="article:published_time" content="{}">',
                story.display_published.isoformat(),
            )
        )
    if image_url:
        parts.append(format_html('<meta property="og:image" content="{}">', image_url))
        parts.append(format_html('<meta name="twitter:image" content="{}">', image_url))
    parts.append(jsonld(news_article(story, image_url=image_url)))
    return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above


class FragmentNode(template.Node):
    """Renders ``{% fragment "name" %}…{% endfragment %}`` (see :func:`do_fragment`)."""

    def __init__(self, nodelist: template.NodeList, name: template.base.FilterExpression) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        store = context.get("fragments")
        name = str(self.name.resolve(context))
        if store is None:
            return self.nodelist.render(context)
        html = store.get(name)
        if html is None:
            html = self.nodelist.render(context)
            store.put(name, html)
        return html


@register.tag("fragment")
def do_fragment(parser: template.base.Parser, token: template.base.Token) -> FragmentNode:
    """``{% fragment "name" %}…{% endfragment %}``: the part of a story page stored as
    ``name`` in the render's :class:`~masthead.core.fragments.FragmentStore`
    (``fragments`` in the context; all parts are fetched with one cache round trip,
    where Django's ``{% cache %}`` takes one per part). Without a store, or for a name
    the store does not list, the part is rendered every time.

    :raises TemplateSyntaxError: without exactly one argument.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% fragment %} takes one argument: the name.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]))


@register.simple_tag(takes_context=True)
def member_name(context: template.Context) -> str:
    """``{% member_name %}``: the signed-in member's name for the site header: the name
    chosen on the account page, else their full name, else their email address (from the
    member snapshot, :mod:`masthead.core.member_pages`; autoescaped as any variable).
    A member page being filled passes ``member_name`` in the context instead."""
    given = context.get("member_name")
    if given:
        return given
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    from masthead.core.member_pages import member_snapshot

    return member_snapshot(user).name or user.email
