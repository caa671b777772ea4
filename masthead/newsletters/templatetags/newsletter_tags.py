"""``{% newsletter_preferences %}``: the one-click preferences block for any page.

The account page (``masthead/accounts``) can show the same controls as the
newsletters page with::

    {% load newsletter_tags %}{% newsletter_preferences source="account page" %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from masthead.newsletters import services
from masthead.newsletters.models import Newsletter

register = template.Library()


def preferences_context(request: HttpRequest, *, source: str) -> dict[str, Any]:
    """Context for ``newsletters/includes/preferences.html``.

    Keys: ``rows`` (``[{"newsletter", "subscribed"}]`` for active editorial lists),
    ``offers_list`` (bool: any active offers list), ``offers`` (bool), ``is_member``,
    ``verified`` (member has a verified primary email), ``source``, ``next``.
    """
    user = getattr(request, "user", None)
    is_member = bool(user and user.is_authenticated)
    subscriber = services.subscriber_for_user(user, create=False) if is_member else None
    verified = bool(is_member and services.verified_email(user))
    statuses = (
        dict(subscriber.subscriptions.values_list("newsletter_id", "status")) if subscriber else {}
    )
    newsletters = list(Newsletter.objects.filter(active=True))
    return {
        "rows": [
            {"newsletter": n, "subscribed": statuses.get(n.pk) == "confirmed"}
            for n in newsletters
            if not n.is_offers
        ],
        "offers_list": any(n.is_offers for n in newsletters),
        "offers": services.offers_granted(subscriber),
        "is_member": is_member,
        "verified": verified,
        "source": source,
        "next": request.get_full_path(),
    }


@register.inclusion_tag("newsletters/includes/preferences.html", takes_context=True)
def newsletter_preferences(
    context: template.Context, source: str = services.SOURCE_ACCOUNT_PAGE
) -> dict:
    """Render the member's one-click newsletter and offers controls."""
    request = context["request"]
    data = preferences_context(request, source=source)
    data["csrf_token"] = context.get("csrf_token")
    data["request"] = request
    return data
