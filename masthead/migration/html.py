"""Convert old comment bodies (HTML or plain text) to Masthead's comment format.

Masthead stores comments as **plain text**: paragraphs separated by one blank
line, line breaks as ``\\n``, URLs as bare text (the display layer HTML-escapes
the text and auto-links ``http(s)`` URLs only).

Two steps:

1. ``nh3`` (Rust ``ammonia``, an HTML5-spec sanitiser) strips everything that is
   not a small allow-list of text tags; ``<script>``/``<style>`` and their
   content, event-handler attributes, comments and every non-http(s)/mailto URL
   (``javascript:``, ``data:``, ``vbscript:``, entity- or whitespace-obfuscated
   forms included) are removed.
2. The sanitised tree is flattened to text with the stdlib HTML parser:
   entities decoded, ``<br>`` -> newline, block elements -> paragraphs, a link
   becomes its URL (``text (URL)`` when the link text says something else).

Input without any block/``<br>`` markup is treated as plain text with
WordPress ``wpautop`` semantics (Disqus and WXR bodies are often that): a blank
line separates paragraphs and a single newline is a line break.

Note: text that the old site *displayed* as markup (``&lt;script&gt;``) stays
visible text ``<script>`` after decoding -- it is what the reader wrote and saw,
and it is inert as long as the display layer escapes text, which it must.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import nh3

__all__ = ["clean_comment_html"]

_BLOCK = {
    "p",
    "div",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "tr",
}
# Inline tags kept by nh3 besides the block tags below (their text survives either way).
_INLINE_TAGS = {"a", "b", "br", "code", "em", "i", "s", "span", "strong", "u"}
_ALLOWED_TAGS = _BLOCK | _INLINE_TAGS
_HTML_MODE_RE = re.compile(
    r"<\s*/?\s*(?:p|br|div|li|blockquote|pre|h[1-6]|tr|table|ul|ol)\b", re.IGNORECASE
)
_SPACES_RE = re.compile(r"[ \t\f\v\u00a0]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WS_RE = re.compile(r"\s+")
# one token of nh3's serialised output: a start/end tag with double-quoted attributes, or text
_TOKEN_RE = re.compile(
    r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z_:][-a-z0-9_:.]*(?:="[^"]*")?)*)\s*/?>|([^<]+)'
)
_HREF_RE = re.compile(r'(?:^|\s)href="([^"]*)"')


#: Built once: ``nh3.clean(text, **options)`` rebuilds the ammonia sanitiser on every call
#: (about 4x slower per comment).
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags={
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "object",
        "svg",
        "math",
    },
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    strip_comments=True,
    link_rel=None,
)


class _TextSink:
    """Flatten sanitised HTML to paragraphs of text (see module doc).

    Receives the events of :class:`_HTMLParserFeeder` or :func:`_feed_tokens`:
    start/end tags (lower-case names) and text with character references decoded.
    """

    def __init__(self, html_mode: bool) -> None:
        self.html_mode = html_mode
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.pre = 0
        self.link: tuple[str, int] | None = None  # (href, index in current)

    def _break_paragraph(self) -> None:
        if not self.current:
            return
        text = "".join(self.current)
        lines = (
            [_SPACES_RE.sub(" ", ln).strip() for ln in text.split("\n")]
            if not self.pre
            else text.split("\n")
        )
        # collapse runs of blank lines inside a paragraph into paragraph breaks
        para: list[str] = []
        for ln in lines:
            if ln.strip():
                para.append(ln.rstrip())
            elif para:
                self.paragraphs.append("\n".join(para))
                para = []
        if para:
            self.paragraphs.append("\n".join(para))
        self.current = []

    def handle_starttag(self, tag: str, href: str) -> None:
        if tag == "br":
            self.current.append("\n")
        elif tag in _BLOCK:
            self._break_paragraph()
            if tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.current.append("- ")
        elif tag == "a":
            self.link = (href, len(self.current)) if href else None

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self._break_paragraph()
            if tag == "pre" and self.pre:
                self.pre -= 1
        elif tag == "a" and self.link is not None:
            href, start = self.link
            self.link = None
            label = "".join(self.current[start:]).strip()
            del self.current[start:]
            self.current.append(_link_text(label, href))

    def handle_data(self, data: str) -> None:
        if self.html_mode and not self.pre:
            data = _WS_RE.sub(" ", data)
        self.current.append(data)

    def result(self) -> str:
        self._break_paragraph()
        return "\n\n".join(p for p in self.paragraphs if p.strip())


class _HTMLParserFeeder(HTMLParser):
    """Drive a :class:`_TextSink` with the stdlib HTML parser (the general, slower path)."""

    def __init__(self, sink: _TextSink) -> None:
        super().__init__(convert_charrefs=True)
        self.sink = sink

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sink.handle_starttag(tag, (dict(attrs).get("href") or "") if tag == "a" else "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.sink.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        self.sink.handle_data(data)


def _flatten_with_htmlparser(safe: str, html_mode: bool) -> str:
    sink = _TextSink(html_mode)
    feeder = _HTMLParserFeeder(sink)
    feeder.feed(safe)
    feeder.close()
    return sink.result()


def _flatten_fast(safe: str, html_mode: bool) -> str | None:
    """Flatten ``nh3`` output with one regex pass; ``None`` if it has an unexpected shape.

    ``nh3``/html5ever serialises a strict subset of HTML: lower-case tag names,
    attribute values always in double quotes with ``&``, ``"``, ``<``, ``>`` and
    U+00A0 escaped, and ``<``/``>`` escaped in text, no comments. A token stream of
    exactly ``<tag attr="v">``, ``</tag>`` and text therefore covers the whole
    string, and the events equal the stdlib parser's (checked by
    ``test_html.py::test_fast_flattening_equals_htmlparser``). Anything else returns
    ``None`` and the caller uses :func:`_flatten_with_htmlparser`.
    """
    sink = _TextSink(html_mode)
    pos = 0
    for m in _TOKEN_RE.finditer(safe):
        if m.start() != pos:
            return None
        pos = m.end()
        text = m.group(4)
        if text is not None:
            sink.handle_data(unescape(text) if "&" in text else text)
            continue
        tag = m.group(2)
        if m.group(1):
            sink.handle_endtag(tag)
            continue
        href = ""
        if tag == "a" and m.group(3):
            found = _HREF_RE.search(m.group(3))
            href = unescape(found.group(1)) if found else ""
        sink.handle_starttag(tag, href)
    if pos != len(safe):
        return None
    return sink.result()


def _link_text(label: str, href: str) -> str:
    """``href`` alone when the label is empty or just (a shortened form of) it."""
    bare = re.sub(r"^[a-z]+://(www\.)?", "", href, flags=re.IGNORECASE).rstrip("/")
    plain = re.sub(r"^[a-z]+://(www\.)?", "", label, flags=re.IGNORECASE).rstrip("/").rstrip(".…")
    if href.lower().startswith("mailto:"):
        address = href[7:]
        return address if not label or label == address else f"{label} ({address})"
    if not label or not plain or bare.startswith(plain) or plain == bare:
        return href
    return f"{label} ({href})"


def clean_comment_html(html: str) -> str:
    """Turn an old comment body into Masthead's plain-text comment format.

    Args:
        html: comment body as exported: HTML (Disqus ``<p>`` markup, WordPress
            markup) or plain text with newlines. ``None``-safe for ``""``.

    Returns:
        Plain text: paragraphs separated by ``"\\n\\n"``, line breaks ``"\\n"``,
        no leading/trailing whitespace, control characters removed, entities
        decoded. Contains no tags, no event handlers and no link to a URL
        other than http(s)/mailto: ``<a href="javascript:...">x</a>`` gives ``x``.
        Empty string for empty/whitespace-only or all-dangerous input.
    """
    if not html or not html.strip():
        return ""
    text = html.replace("\r\n", "\n").replace("\r", "\n")
    html_mode = bool(_HTML_MODE_RE.search(text))
    safe = _CLEANER.clean(text)
    flat = _flatten_fast(safe, html_mode)
    if flat is None:
        flat = _flatten_with_htmlparser(safe, html_mode)
    return _CONTROL_RE.sub("", flat).strip()
