"""One issue's message as pre-built bytes, with holes for what differs per recipient.

Why
---
Building each message with ``EmailMultiAlternatives`` → ``email`` package →
``as_bytes()`` cost about 2.3 ms of the sender's ~4.6 ms per message (cProfile, issue 5:
header folding, random MIME boundary, address parsing), although only five things
differ between two recipients of the same issue:

* ``To`` — the recipient's address;
* ``Date`` — when the message is built (Django sets it per message, so do we);
* ``Message-ID`` — :func:`emails.message_id_for` (stable per delivery);
* ``List-Unsubscribe`` — the signed one-click URL and the ``mailto:`` with its token;
* the unsubscribe and manage-preferences links in both body parts.

How
---
:meth:`MessageTemplate.build` asks Django for one *probe* message built exactly as the
old path builds it (same subject, From, List-Id, List-Unsubscribe-Post, parts,
charset and transfer encoding), but with marker strings where the links go. Its bytes
are cut into static pieces and holes. :meth:`MessageTemplate.render` then only signs
two tokens, joins bytes, and writes the four per-recipient header fields itself.

When this is exact, and what happens otherwise
-----------------------------------------------
Substituting into the encoded bytes equals encoding the substituted text only when a
body part is sent as ``7bit``/``8bit`` (the bytes *are* the text). Django switches a
part to quoted-printable when any line is longer than 998 octets (RFC 5322 §2.1.1,
``RFC5322_EMAIL_LINE_LENGTH_LIMIT``). So:

* :meth:`build` returns ``None`` (the caller uses Django for every message) if the
  probe has any part that is not 7bit/8bit, if a marker did not survive intact, or the
  site URL is not plain ASCII;
* :meth:`render` returns ``None`` (Django builds that one message) for a non-ASCII or
  unusual address (Django's ``sanitize_address`` handles IDNA and encoded names), or
  if a line holding a link would exceed 998 octets once the link is in.

The MIME boundary is fixed per issue (Django's random one from the probe); the links
written into the body are drawn from ``SITE_URL`` (checked once) and signed tokens
(URL-safe base64 and ``:``), so they can never contain it (RFC 2046 §5.1.1).
"""

from __future__ import annotations

import email
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import quote

from django.conf import settings

# Markers put into the probe message where the per-recipient links go: plain
# alphanumerics, so neither HTML escaping nor CSS inlining nor MIME changes them.
TEXT_UNSUB = "MHHOLETEXTUNSUBSCRIBEURL"
TEXT_MANAGE = "MHHOLETEXTMANAGEURL"
HTML_UNSUB = "MHHOLEHTMLUNSUBSCRIBEURL"
HTML_MANAGE = "MHHOLEHTMLMANAGEURL"
_HOLES = (TEXT_UNSUB, TEXT_MANAGE, HTML_UNSUB, HTML_MANAGE)
_HOLE_RE = re.compile(b"|".join(h.encode() for h in _HOLES))

# Header fields written per recipient (lower-case names) by :meth:`MessageTemplate.render`.
PER_RECIPIENT_FIELDS = ("to", "date", "message-id", "list-unsubscribe")

LINE_LIMIT = 998  # octets, excluding CRLF: RFC 5322 §2.1.1 (Django's QP switch-over point)

# Addresses the fast path writes verbatim: ASCII dot-atom local part @ ASCII domain
# (RFC 5322 §3.4.1 atext). Anything else goes through Django's ``sanitize_address``.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}")
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,900}>")  # no '<', '>', spaces


@dataclass(frozen=True)
class _LongLine:
    """A body line that holds links: its length without them, and how many of each."""

    base: int
    counts: tuple[int, int, int, int]  # per _HOLES


class MessageTemplate:
    """The issue's message with holes; :meth:`render` fills them for one recipient.

    Build with :meth:`build`; it returns ``None`` when the shortcut would not be exact.
    """

    def __init__(
        self,
        head: list[bytes | str],
        body: list[bytes | int],
        long_lines: list[_LongLine],
        boundary: str,
        links: Callable[[int], tuple[str, str, str]],
        mailbox: str,
    ) -> None:
        self._head = head
        self._body = body
        self._long_lines = long_lines
        self.boundary = boundary
        self._links = links
        self._mailbox = mailbox

    # --- building -----------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        probe_bytes: bytes,
        sources: dict[str, tuple[str, str]],
        links: Callable[[int], tuple[str, str, str]],
        link_parts: list[str],
        mailbox: str,
    ) -> MessageTemplate | None:
        """Cut ``probe_bytes`` into static pieces and holes; ``None`` if not exactly possible.

        :param probe_bytes: the Django-built message (``as_bytes(linesep="\\r\\n")``) whose
            text part was rendered with :data:`TEXT_UNSUB`/:data:`TEXT_MANAGE` and HTML
            part with :data:`HTML_UNSUB`/:data:`HTML_MANAGE` in place of the links.
        :param sources: ``{"text": (text, "plain"), "html": (html, "html")}``, the part
            sources as given to Django, to check every marker survived intact.
        :param links: ``subscriber_id -> (unsubscribe_url, manage_url, unsubscribe_token)``.
        :param link_parts: the constant pieces of the links (site URL and paths), checked
            here once to be ASCII without whitespace or the MIME boundary.
        :param mailbox: the ``mailto:`` unsubscribe mailbox.
        """
        head_bytes, sep, body_bytes = probe_bytes.partition(b"\r\n\r\n")
        if not sep:
            return None
        parsed = email.message_from_bytes(probe_bytes)
        if not parsed.is_multipart():
            return None
        for part in parsed.walk():
            if part.is_multipart():
                continue
            cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
            if cte not in ("7bit", "8bit"):
                return None
        boundary = parsed.get_boundary()
        if not boundary:
            return None
        for piece in [*link_parts, mailbox]:
            if not piece.isascii() or any(c.isspace() for c in piece) or boundary in piece:
                return None

        # Header: one entry per field (continuation lines folded in), per-recipient
        # fields replaced by their lower-case name.
        fields: list[tuple[str, bytes]] = []
        for line in head_bytes.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and fields:
                name, raw = fields[-1]
                fields[-1] = (name, raw + b"\r\n" + line)
            else:
                fields.append((line.split(b":", 1)[0].strip().lower().decode("ascii"), line))
        names = [name for name, _ in fields]
        if sorted(n for n in names if n in PER_RECIPIENT_FIELDS) != sorted(PER_RECIPIENT_FIELDS):
            return None
        head: list[bytes | str] = []
        for name, raw in fields:
            if name in PER_RECIPIENT_FIELDS:
                head.append(name)
            elif head and isinstance(head[-1], bytes):
                head[-1] = head[-1] + raw + b"\r\n"
            else:
                head.append(raw + b"\r\n")

        # Body: static bytes and hole indexes; every marker must be there as often as in
        # the source it was rendered from (otherwise an encoding touched it).
        text, html_text = sources["text"][0], sources["html"][0]
        expected = (
            text.count(TEXT_UNSUB),
            text.count(TEXT_MANAGE),
            html_text.count(HTML_UNSUB),
            html_text.count(HTML_MANAGE),
        )
        body_full = b"\r\n" + body_bytes  # the blank line between header and body
        found = [0, 0, 0, 0]
        body: list[bytes | int] = []
        pos = 0
        for match in _HOLE_RE.finditer(body_full):
            body.append(body_full[pos : match.start()])
            index = _HOLES.index(match.group().decode())
            body.append(index)
            found[index] += 1
            pos = match.end()
        body.append(body_full[pos:])
        if tuple(found) != expected:
            return None
        long_lines = []
        for line in body_bytes.split(b"\r\n"):
            counts = tuple(line.count(h.encode()) for h in _HOLES)
            if any(counts):
                base = len(line) - sum(c * len(h) for c, h in zip(counts, _HOLES, strict=True))
                long_lines.append(_LongLine(base, counts))  # type: ignore[arg-type]
        return cls(head, body, long_lines, boundary, links, mailbox)

    # --- per recipient --------------------------------------------------------------------
    def render(self, *, to: str, subscriber_id: int, message_id: str) -> bytes | None:
        """Return the message for one recipient as CRLF bytes, or ``None`` to use Django.

        The result parses to the same header values (bar ``Date``), the same part
        structure and the same decoded bodies as ``IssueRenderer.message(...)`` for the
        same arguments (tested in ``tests/test_prebuilt.py``).
        """
        if not _PLAIN_ADDRESS.fullmatch(to) or not _MESSAGE_ID.fullmatch(message_id):
            return None
        unsub, manage, token = self._links(subscriber_id)
        values = (unsub, manage, html.escape(unsub), html.escape(manage))
        for line in self._long_lines:
            length = line.base + sum(c * len(v) for c, v in zip(line.counts, values, strict=True))
            if length > LINE_LIMIT:
                return None
        mailto = f"mailto:{self._mailbox}?subject={quote('unsubscribe ' + token)}"
        if len(unsub) + 20 > LINE_LIMIT or len(mailto) + 3 > LINE_LIMIT:
            return None
        fields = {
            "to": f"To: {to}\r\n",
            "date": f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}\r\n",
            "message-id": f"Message-ID: {message_id}\r\n",
            # Folded between the two URIs (RFC 5322 §3.2.2): unfolds to "<https…>, <mailto…>".
            "list-unsubscribe": f"List-Unsubscribe: <{unsub}>,\r\n <{mailto}>\r\n",
        }
        encoded = [v.encode("ascii") for v in values]
        out = [p if isinstance(p, bytes) else fields[p].encode("ascii") for p in self._head]
        out.extend(p if isinstance(p, bytes) else encoded[p] for p in self._body)
        return b"".join(out)
