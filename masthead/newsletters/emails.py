"""Build newsletter and confirmation messages.

Each message is rendered from three templates (``emails/<name>-subject.html``,
``-body-text.html``, ``-body-html.html``), the pattern of healthchecks'
``hc/lib/emails.py:make_message``. The HTML part has its CSS inlined with
``css-inline`` (many clients, notably Gmail's, drop ``<style>`` blocks in some
contexts), and every message also has a plain-text part.

Newsletter messages carry the headers of a well-behaved bulk sender:

* ``List-Unsubscribe: <https://…/newsletters/unsubscribe/<token>/>, <mailto:…>`` (RFC 2369)
* ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058 §3.1)
* ``List-Id: <slug.lists.domain>`` (RFC 2919), distinct per newsletter
* a unique ``Message-ID`` (RFC 5322 §3.6.4), derived from the delivery so a re-send
  after a crash carries the *same* Message-ID (see ``sending.py``).

For speed, an issue is rendered and CSS-inlined once; per recipient only the
signed links are substituted into the rendered text (:class:`IssueRenderer`), and the
sender goes one step further: the whole message is pre-built as bytes once per issue
and only the per-recipient header fields and links are filled in (``prebuilt.py``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac

from masthead.articles.models import StoryPage
from masthead.newsletters import prebuilt
from masthead.newsletters.models import Newsletter, NewsletterIssue
from masthead.newsletters.prebuilt import MessageTemplate
from masthead.newsletters.tokens import (
    make_confirm_token,
    make_manage_token,
    make_unsubscribe_token,
)

_UNSUB = "MHPLACEHOLDERUNSUBSCRIBEURL"
_MANAGE = "MHPLACEHOLDERMANAGEURL"
_TOKEN = "MHPLACEHOLDERTOKEN"  # noqa: S105 - a marker, not a secret
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def absolute(path: str) -> str:
    """Return ``SITE_URL`` + ``path``."""
    return settings.SITE_URL + path


def unsubscribe_url(subscriber_id: int, newsletter_id: int) -> tuple[str, str]:
    """Return ``(url, token)``: one-click unsubscribe URL (HTTPS in production) and token."""
    token = make_unsubscribe_token(subscriber_id, newsletter_id)
    return absolute(reverse("newsletters:unsubscribe", args=[token])), token


def manage_url(subscriber_id: int) -> str:
    """URL of the preferences page for one subscriber (no login needed)."""
    return absolute(reverse("newsletters:manage", args=[make_manage_token(subscriber_id)]))


def _link_parts(name: str) -> tuple[str, str]:
    """Return the absolute URL of view ``name`` split around its token argument."""
    url = absolute(reverse(name, args=[_TOKEN]))
    prefix, found, suffix = url.partition(_TOKEN)
    if not found:  # pragma: no cover - the URL patterns take the token verbatim
        raise RuntimeError(f"cannot split the URL of {name}")
    return prefix, suffix


def inline_css(html_text: str) -> str:
    """Return ``html_text`` with its ``<style>`` rules moved into ``style`` attributes."""
    return _INLINER.inline(html_text)


def render_three(name: str, context: dict) -> tuple[str, str, str]:
    """Render ``emails/<name>-{subject,body-text,body-html}.html`` → (subject, text, html)."""
    subject = render_to_string(f"emails/{name}-subject.html", context)
    subject = " ".join(subject.split())  # headers must be one line
    text = render_to_string(f"emails/{name}-body-text.html", context)
    body_html = inline_css(render_to_string(f"emails/{name}-body-html.html", context))
    return subject, text, body_html


@dataclass(frozen=True)
class StoryItem:
    """What an issue shows of a story: never body text, so no gated text can leak."""

    headline: str
    standfirst: str
    url: str
    access_level: str


def issue_items(issue: NewsletterIssue) -> list[StoryItem]:
    """Return the issue's live stories, in order, as headline/standfirst/link only."""
    ids = list(issue.issue_stories.order_by("sort_order", "pk").values_list("story_id", flat=True))
    stories = {s.pk: s for s in StoryPage.objects.live().filter(pk__in=ids)}
    items = []
    for pk in ids:
        story = stories.get(pk)
        if story is None:
            continue
        items.append(
            StoryItem(
                headline=story.title,
                standfirst=story.standfirst,
                url=absolute(story.url or ""),
                access_level=story.access_level,
            )
        )
    return items


def message_id_for(issue_id: int, delivery_id: int, domain: str) -> str:
    """Return a stable, unique Message-ID for one delivery.

    Unique because (issue, delivery) is; unguessable suffix (HMAC) so ids cannot be
    forged from outside. Stable so that the rare re-send after a crash (the window
    documented in ``sending.py``) is recognisably the same message: mail clients and
    Gmail collapse messages with the same Message-ID.
    """
    mac = salted_hmac("masthead.newsletters.msgid", f"{issue_id}.{delivery_id}").hexdigest()[:12]
    return f"<nl.{issue_id}.{delivery_id}.{mac}@{domain}>"


class IssueRenderer:
    """Render one issue once; build a personalised message per recipient cheaply.

    Two ways to get one recipient's message, equal in content:

    * :meth:`message` — a Django ``EmailMultiAlternatives`` (any mail backend);
    * :meth:`template` → :meth:`prebuilt.MessageTemplate.render` — the same message as
      ready-to-send bytes, about 10× cheaper (``prebuilt.py`` explains when it applies).
    """

    def __init__(self, issue: NewsletterIssue, *, test_banner: str = "") -> None:
        self.issue = issue
        self.newsletter: Newsletter = issue.newsletter
        context = {
            "issue": issue,
            "newsletter": self.newsletter,
            "intro_paragraphs": [p.strip() for p in issue.intro.split("\n\n") if p.strip()],
            "items": issue_items(issue),
            "site_name": settings.MASTHEAD_SITE_NAME,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": _UNSUB,
            "manage_url": _MANAGE,
            "test_banner": test_banner,
        }
        self.subject, self.text, self.html = render_three("newsletter_issue", context)
        if test_banner:
            self.subject = f"[TEST] {self.subject}"
        self.domain = self.newsletter.sender_email.rsplit("@", 1)[-1]
        self.list_id = self.newsletter.list_id
        name = self.newsletter.name
        self.list_id_header = (
            f'"{name}" <{self.list_id}>' if name.isascii() else f"<{self.list_id}>"
        )
        self.mailbox = (
            settings.MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAILBOX or f"unsubscribe@{self.domain}"
        )
        # The link URLs around the token, reversed once (``reverse`` costs ~0.1 ms a call).
        self._unsub_parts = _link_parts("newsletters:unsubscribe")
        self._manage_parts = _link_parts("newsletters:manage")
        self._template: MessageTemplate | None | bool = False  # False: not built yet

    def links(self, subscriber_id: int) -> tuple[str, str, str]:
        """Return ``(unsubscribe_url, manage_url, unsubscribe_token)`` for one recipient.

        Equal to :func:`unsubscribe_url` / :func:`manage_url` (tokens signed per recipient
        and list, ``tokens.py``), with the URL reversed once per issue.
        """
        token = make_unsubscribe_token(subscriber_id, self.newsletter.pk)
        unsub = self._unsub_parts[0] + token + self._unsub_parts[1]
        manage = self._manage_parts[0] + make_manage_token(subscriber_id) + self._manage_parts[1]
        return unsub, manage, token

    def _headers(self, unsub: str, token: str) -> dict[str, str]:
        mailto = f"mailto:{self.mailbox}?subject={quote('unsubscribe ' + token)}"
        return {
            "List-Unsubscribe": f"<{unsub}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id_header,
        }

    def bodies(self, subscriber_id: int) -> tuple[str, str, dict[str, str]]:
        """Return (text, html, extra headers) for one recipient."""
        unsub, manage, token = self.links(subscriber_id)
        text = self.text.replace(_UNSUB, unsub).replace(_MANAGE, manage)
        body_html = self.html.replace(_UNSUB, html.escape(unsub)).replace(
            _MANAGE, html.escape(manage)
        )
        return text, body_html, self._headers(unsub, token)

    def _build(
        self,
        *,
        to: str,
        text: str,
        body_html: str,
        headers: dict[str, str],
        message_id: str,
        connection: object = None,
    ) -> EmailMultiAlternatives:
        headers = {**headers, "Message-ID": message_id}
        msg = EmailMultiAlternatives(
            subject=self.subject,
            body=text,
            from_email=self.newsletter.from_header,
            to=[to],
            headers=headers,
            connection=connection,
        )
        msg.attach_alternative(body_html, "text/html")
        return msg

    def message(
        self, *, to: str, subscriber_id: int, message_id: str, connection: object = None
    ) -> EmailMultiAlternatives:
        """Return the complete message for one recipient (text + HTML, bulk headers)."""
        text, body_html, headers = self.bodies(subscriber_id)
        return self._build(
            to=to,
            text=text,
            body_html=body_html,
            headers=headers,
            message_id=message_id,
            connection=connection,
        )

    def template(self) -> MessageTemplate | None:
        """Return the issue's pre-built message bytes with holes (built once), or ``None``.

        ``None`` when the shortcut would not reproduce Django's message exactly (a part
        needing quoted-printable, a non-ASCII site URL…; see ``prebuilt.py``): then
        every message must come from :meth:`message`.
        """
        if self._template is False:
            text = self.text.replace(_UNSUB, prebuilt.TEXT_UNSUB).replace(
                _MANAGE, prebuilt.TEXT_MANAGE
            )
            body_html = self.html.replace(_UNSUB, prebuilt.HTML_UNSUB).replace(
                _MANAGE, prebuilt.HTML_MANAGE
            )
            probe = self._build(
                to="probe@example.invalid",
                text=text,
                body_html=body_html,
                headers=self._headers(prebuilt.TEXT_UNSUB, "probe"),
                message_id=f"<probe@{self.domain}>",
            )
            self._template = MessageTemplate.build(
                probe.message().as_bytes(linesep="\r\n"),
                {"text": (text, "plain"), "html": (body_html, "html")},
                self.links,
                [*self._unsub_parts, *self._manage_parts],
                self.mailbox,
            )
        return self._template or None


def confirmation_message(
    subscriber_id: int, email: str, newsletter_ids: list[int], offers: bool
) -> EmailMultiAlternatives:
    """Return the double opt-in mail (transactional: From is ``DEFAULT_FROM_EMAIL``)."""
    token = make_confirm_token(subscriber_id, newsletter_ids, offers)
    context = {
        "confirm_url": absolute(reverse("newsletters:confirm", args=[token])),
        "newsletters": list(
            Newsletter.objects.filter(pk__in=newsletter_ids).order_by("sort_order", "name")
        ),
        "offers": offers,
        "site_name": settings.MASTHEAD_SITE_NAME,
        "max_age_days": settings.MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE // 86400,
    }
    subject, text, body_html = render_three("newsletter_confirm", context)
    msg = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email]
    )
    msg.attach_alternative(body_html, "text/html")
    return msg
