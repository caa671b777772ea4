"""Hand imported comments to the reader who proves they own the old e-mail address.

Rule (issue 6): a legacy author keyed by a normalised e-mail address becomes a
reader's when that reader has the address **verified** in allauth
(``EmailAddress.verified``); an unverified address claims nothing. Matching is
case-insensitive (addresses are stored lower-cased, see
:func:`masthead.migration.parsers.normalise_email`). Claiming is idempotent: it only
touches legacy authors not yet claimed and comments without an author.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from masthead.comments.models import Comment
from masthead.core.page_cache import content_changed

from .models import LegacyAuthor
from .parsers import normalise_email

__all__ = ["claim_for_user", "claim_legacy_comments"]


def claim_legacy_comments(user_id: int, email: str) -> int:
    """Give ``user_id`` the legacy comments of ``email`` -- only if that address is verified.

    Args:
        user_id: the reader's primary key.
        email: an address of theirs (any case).

    Returns:
        The number of comments whose author was set now (0 when the address is not
        verified for this user, unknown, or already claimed).
    """
    norm = normalise_email(email)
    if not norm:
        return 0
    verified = EmailAddress.objects.filter(
        user_id=user_id, email__iexact=norm, verified=True
    ).exists()
    if not verified:
        return 0
    with transaction.atomic():
        authors = LegacyAuthor.objects.select_for_update().filter(email=norm)
        author_ids = [
            pk
            for pk, owner in authors.values_list("pk", "claimed_by_id")
            if owner in (None, user_id)
        ]
        if not author_ids:
            return 0
        LegacyAuthor.objects.filter(pk__in=author_ids, claimed_by__isnull=True).update(
            claimed_by_id=user_id, claimed_at=timezone.now()
        )
        claimed = Comment.objects.filter(
            import_record__legacy_author_id__in=author_ids, author__isnull=True
        ).update(author_id=user_id)
        if claimed:
            content_changed([user_id])  # their comments now show as theirs
        return claimed


def claim_for_user(user: AbstractBaseUser) -> int:
    """Claim legacy comments for every verified address of ``user``; returns comments claimed."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return sum(claim_legacy_comments(user.pk, email) for email in emails)
