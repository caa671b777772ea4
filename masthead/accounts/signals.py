"""Hooks other apps use to take part in "export my data" and "delete my account".

``collect_personal_data``
    Sent with ``user=<User>``. Each receiver returns a ``dict`` of JSON-serialisable
    top-level sections, e.g. ``{"comments": [...]}``; the export merges them (section
    names must be unique per app). Example::

        from django.dispatch import receiver
        from masthead.accounts.signals import collect_personal_data

        @receiver(collect_personal_data)
        def export_comments(sender, user, **kwargs):
            return {"comments": [...]}

``erase_personal_data``
    Sent with ``user=<User>`` inside the deletion transaction, BEFORE the user row is
    deleted. Receivers delete what is personal and de-identify what must remain (a
    published comment keeps its text but loses its author link, name and email).
    Anything still pointing at the user with ``on_delete=CASCADE`` afterwards is
    deleted with the user. A receiver that raises aborts the deletion (nothing is
    half-deleted).
"""

from __future__ import annotations

from django.dispatch import Signal

collect_personal_data = Signal()
erase_personal_data = Signal()
