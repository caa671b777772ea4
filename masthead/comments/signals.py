"""Signals the comments app sends for changes a model ``save`` does not announce.

``comment_status_changed`` (``sender=Comment``, ``comment=<Comment>``): a moderator's
decision or the author's deletion changed ``comment.status`` with a queryset
``update()``; sent inside the transaction, after the change.
"""

from django.dispatch import Signal

comment_status_changed = Signal()
