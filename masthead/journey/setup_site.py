"""Data the reader-journey browser tests need on top of ``load_demo --no-corpus``.

Run inside the journey's server environment with ``manage.py shell -c`` (see
``tests/conftest.py``): fresh metered stories (published now, so comment threads are
open), a second commenter with a published comment to reply to, a third member who
will be moderated, and a moderator in the "Moderators" group. Prints one JSON line
with the URLs and ids the test uses.
"""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from masthead.accounts.services import get_profile, set_display_name
from masthead.articles.models import AccessLevel, StoryPage
from masthead.articles.services import ensure_section, paragraphs_to_body
from masthead.comments.models import Comment, CommentStatus
from masthead.newsletters.models import Newsletter

PASSWORD = "journey-Pa55word-2025"  # noqa: S105 - throwaway accounts in a throwaway database

HEADLINES = [
    "Harbour city opens its first night market in twenty years",
    "River ferry fares fall as the new electric fleet arrives",
    "Hill towns plant ten thousand trees to hold back landslides",
    "Coastal rail line reopens after monsoon repairs",
    "Libraries extend opening hours for exam season",
    "Farmers try drip irrigation as the wells run low",
    "City council votes to pedestrianise the old bazaar",
]


def make_user(email: str, name: str, *, staff: bool = False) -> object:
    """A member with a verified email address and a display name."""
    User = get_user_model()
    first, last = name.split(" ", 1)
    user = User.objects.create_user(
        username=email.split("@")[0],
        email=email,
        password=PASSWORD,
        is_staff=staff,
        first_name=first,
        last_name=last,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    get_profile(user)
    set_display_name(user, name)
    return user


def main() -> None:
    """Create the journey's stories and people; print them as JSON."""
    section = ensure_section("world", "World")
    now = timezone.now()
    stories = []
    for n, headline in enumerate(HEADLINES, start=1):
        story = StoryPage(
            title=headline,
            slug=f"journey-{n}",
            standfirst=f"What changes for readers, in brief ({n}).",
            access_level=AccessLevel.METERED,
            body=paragraphs_to_body(
                [f"Paragraph {p} of the story about {headline.lower()}." for p in range(1, 7)]
            ),
            published_at=now,
        )
        section.add_child(instance=story)
        story.save_revision().publish()
        story.refresh_from_db()
        stories.append(story)

    priya = make_user("priya@journey.example", "Priya Raman")
    Comment.objects.create(
        story=stories[0],
        author=priya,
        author_name="Priya Raman",
        body="The night market will bring people back to the harbour after dark.",
        status=CommentStatus.PUBLISHED,
        created_at=now,
    )
    make_user("troll@journey.example", "Sam Troll")
    moderator = make_user("moderator@journey.example", "Mo Derator", staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    # load_demo creates the demo newsletters; older checkouts did not.
    newsletter, _ = Newsletter.objects.get_or_create(
        slug="morning-briefing",
        defaults={
            "name": "Morning Briefing",
            "description": "The day's essential stories, before breakfast.",
        },
    )
    cache.clear()
    print(  # noqa: T201 - the test reads this line
        "JOURNEY "
        + json.dumps(
            {
                "stories": [{"url": s.url, "title": s.title, "id": s.pk} for s in stories],
                "password": PASSWORD,
                "newsletter": {"id": newsletter.pk, "name": newsletter.name},
            }
        )
    )


main()
