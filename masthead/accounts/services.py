"""Account operations: profile, personal-data export and account deletion."""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from anyascii import anyascii
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.accounts.models import Profile
from masthead.accounts.signals import collect_personal_data, erase_personal_data

log = logging.getLogger(__name__)


TAKEN = "Another reader already uses that name; please choose another."
# "Reader 12" (a member without a name) and "A reader" (a deleted account's comments).
_DEFAULT_NAME_RE = re.compile(r"reader\d+|areader")
#: Words a name may not contain, because readers would take them for the newsroom's voice.
RESERVED_NAMES = {
    "editor",
    "moderator",
    "admin",
    "administrator",
    "staff",
    "newsroom",
    "masthead",
}


def _name_parts(name: str) -> list[str]:
    """The runs of letters and digits of ``name`` (NFKC-normalised, so full-width letters
    are plain ones), each transliterated to ASCII with ``anyascii`` and case-folded."""
    runs = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", name))
    return [p for p in (re.sub(r"[^a-z0-9]", "", anyascii(run).casefold()) for run in runs) if p]


def name_key(name: str) -> str:
    """The form in which two display names are compared: letters and digits only (spaces,
    punctuation and symbols such as "✓" dropped), NFKC, ``anyascii``, case-folded:
    "Alice Reader." and "alice  reader ✓" both give ``"alicereader"``."""
    return "".join(_name_parts(name))


def _scripts(name: str) -> set[str]:
    """The scripts of the letters of ``name`` (NFKC), by their Unicode character names
    ("LATIN", "CYRILLIC", "GREEK", …)."""
    return {
        unicodedata.name(ch, "?").split(" ")[0]
        for ch in unicodedata.normalize("NFKC", name)
        if ch.isalpha()
    }


def get_profile(user: Any) -> Profile:
    """The user's profile, created if missing."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def clean_display_name(value: str) -> str:
    """Collapse whitespace and drop control characters; at most 60 characters.

    :raises ValueError: with the reason shown to the reader, when the name is longer
        than 60 characters, has no letter or digit, mixes Latin with Cyrillic or Greek
        letters, holds a reserved word or the site's name, reads as a default label
        ("Reader 12", "A reader") or is an email address.
    """
    # Format characters (Cf: bidi overrides, zero-width joiners) could disguise a name.
    text = "".join(
        ch
        for ch in " ".join(value.split())
        if ch.isprintable() and unicodedata.category(ch) != "Cf"
    ).strip()
    if len(text) > 60:
        raise ValueError("Use at most 60 characters.")
    if not text:
        return text
    key = name_key(text)
    if not key:
        raise ValueError("Use at least one letter or digit in your name.")
    if len(_scripts(text) & {"LATIN", "CYRILLIC", "GREEK"}) > 1:
        # Latin letters mixed with lookalike Cyrillic or Greek ones ("Аlice" with a
        # Cyrillic А) would copy another name: one alphabet per name, the "single
        # script" restriction level of Unicode TR 39 ("Security Mechanisms", §5.2), applied
        # to the three alphabets whose letters look alike (kanji with kana stays allowed).
        raise ValueError("Use the letters of one alphabet in your name.")
    site = name_key(str(getattr(settings, "MASTHEAD_SITE_NAME", "")))
    site = site.removeprefix("the") or site
    if set(_name_parts(text)) & RESERVED_NAMES or (site and site in key):
        raise ValueError("That name is reserved for the newsroom; please choose another.")
    if _DEFAULT_NAME_RE.fullmatch(key):
        raise ValueError(
            "Names like “Reader 12” and “A reader” are how the site shows readers without a "
            "name; please choose another."
        )
    if "@" in unicodedata.normalize("NFKC", text):
        raise ValueError("Use a name, not an email address: the name is shown to everyone.")
    return text


def name_taken(user: Any, name: str) -> bool:
    """Whether another member already shows a name with the same :func:`name_key`
    (lookalike letters, case, spaces and punctuation aside) on comments."""
    key = name_key(name)
    return bool(key) and Profile.objects.filter(name_key=key).exclude(user_id=user.pk).exists()


def set_display_name(user: Any, value: str) -> Profile:
    """Set the display name used on comments (see :func:`clean_display_name`).

    The member's existing comments show the new name too.

    :raises ValueError: as :func:`clean_display_name`, and when another member already
        uses the name (:func:`name_taken`).
    """
    from masthead.comments.models import Comment
    from masthead.comments.services import display_name
    from masthead.core.page_cache import content_changed

    profile = get_profile(user)
    name = clean_display_name(value)
    if name_taken(user, name):
        raise ValueError(TAKEN)
    profile.display_name = name
    profile.name_key = name_key(name)
    profile.save(update_fields=["display_name", "name_key"])
    user.profile = profile
    if Comment.objects.filter(author=user).update(author_name=display_name(user)):
        content_changed([user.pk])  # every thread showing the old name
    return profile


def export_personal_data(user: Any) -> dict[str, Any]:
    """Everything Masthead holds about ``user``, as a JSON-ready dict.

    Core sections (account, profile, email addresses, sessions, meter, subscriptions,
    saved stories) plus whatever ``collect_personal_data`` receivers add.
    """
    from allauth.account.models import EmailAddress
    from allauth.usersessions.models import UserSession

    from masthead.metering.services import export_user_meter
    from masthead.readinglist.services import export_saved

    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "username": user.get_username(),
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": {"display_name": get_profile(user).display_name},
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "sessions": [
            {
                "ip": s.ip,
                "user_agent": s.user_agent,
                "created_at": s.created_at.isoformat(),
                "last_seen_at": s.last_seen_at.isoformat() if s.last_seen_at else None,
            }
            for s in UserSession.objects.filter(user=user)
        ],
        "saved_stories": export_saved(user),
        **export_user_meter(user.pk),
    }
    for receiver, section in collect_personal_data.send(sender=type(user), user=user):
        if not isinstance(section, dict):
            log.warning(
                "collect_personal_data receiver %r returned %r, not a dict", receiver, type(section)
            )
            continue
        for key, value in section.items():
            if key in data:
                raise ValueError(f"export section {key!r} is contributed twice")
            data[key] = value
    return data


def delete_account(user: Any) -> None:
    """Delete ``user``: receivers of ``erase_personal_data`` de-identify what must remain,
    then meter rows, subscriptions, sessions, saved stories, email addresses and the
    user row go. All in one transaction: a failure deletes nothing."""
    from allauth.usersessions.models import UserSession

    from masthead.metering.services import erase_user_meter

    with transaction.atomic():
        erase_personal_data.send(sender=type(user), user=user)
        erase_user_meter(user.pk)
        for s in UserSession.objects.filter(user=user):
            s.end()
        user.delete()
