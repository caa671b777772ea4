"""Safe streaming XML reading shared by the Disqus and WXR parsers.

Safety model (OWASP XML cheat sheet; CWE-611 XXE, CWE-776 entity expansion):

1. Before libxml2 sees a byte, :class:`SafeXMLSource` scans the prolog (the part
   before the root element) and **rejects any ``<!DOCTYPE``**. No genuine Disqus or
   WordPress export has a DTD, so a billion-laughs bomb or an external entity
   (``SYSTEM "file:///etc/passwd"``) is refused with a :class:`ParseError` in
   microseconds, before any entity is declared.
2. As a second line, ``lxml.etree.iterparse`` runs with ``resolve_entities=False``,
   ``load_dtd=False``, ``no_network=True``, ``huge_tree=False`` (libxml2's own
   limits on node depth/size and entity amplification stay on), and the parsed
   ``docinfo`` is checked for a DTD again.

``defusedxml`` is not used: its lxml module is deprecated and has no iterparse.

Junk before the XML declaration (a UTF-8 BOM, whitespace, or a few stray bytes
such as the backtick at the start of Remark42's Disqus fixtures) is skipped with
a warning, but only if it is short (<= 64 bytes), contains no ``<`` and an
``<?xml`` declaration follows; anything malformed after that stops with a
:class:`ParseError` carrying line and column *of the original file*.

One more repair is made in the stream, with a warning per place: an attribute
value written without quotes in a start tag (``<thread dsq:id=247937687/>``, as
in Remark42's Disqus exports) gets its double quotes. It is unambiguous (the
value ends at white space, ``/`` or ``>``) and loses nothing, so such a file
imports without ``--recover``.

A file that ends in the middle of the XML is reported as cut off, with the line
and column where it ends; a file whose only fault is an undeclared namespace
prefix (``atom:link`` without ``xmlns:atom``) is reported with the hint that
``--recover`` reads it whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from lxml import etree

from .base import ParseError, ParseStats

Source = str | os.PathLike[str] | BinaryIO

_MAX_PREFIX = 64  # bytes of junk tolerated before "<?xml"
_PROLOG_LIMIT = 1 << 20  # the root element must start within the first MiB
_XML_DECL = b"<?xml"
_UTF8_BOM = b"\xef\xbb\xbf"
_READ_CHUNK = 65536
# a start tag's name and quoted attributes, then ``name=`` and an unquoted value
_UNQUOTED_ATTR = re.compile(
    rb"(<[A-Za-z_][\w:.-]*(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*\s+[\w:.-]+\s*=\s*)"
    rb"([^\s\"'<>=/]+)(?=[\s/>])"
)
# how far back from a chunk's end an unfinished start tag is held for the next chunk
_TAG_CARRY = 4096


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column) of byte ``offset`` in ``data`` (column in bytes)."""
    line = data.count(b"\n", 0, offset) + 1
    last_nl = data.rfind(b"\n", 0, offset)
    return line, offset - last_nl


class SafeXMLSource:
    """A binary reader that skips tolerated junk and refuses DTDs (see module doc).

    Args:
        source: a path or a binary file object (not closed by us if passed in).
        stats: receives a warning and ``skipped_prefix_bytes`` when junk is skipped.

    Raises:
        ParseError: on a DOCTYPE, UTF-16/32 input, untolerable leading junk,
            or a prolog with no root element in its first MiB.
    """

    def __init__(self, source: Source, stats: ParseStats) -> None:
        if isinstance(source, str | os.PathLike):
            self.name = os.fspath(source)
            self._fh: BinaryIO = open(self.name, "rb")  # noqa: SIM115 - closed in close()
            self._owned = True
        else:
            self.name = getattr(source, "name", "<stream>")
            self._fh = source
            self._owned = False
        self.line_offset = 0  # newlines removed with the prefix
        self.column_offset = 0  # bytes removed from what becomes line 1
        self.stats = stats
        self.eof = False  # the underlying file was read to its end
        self.lines_out = 0  # newlines handed to lxml so far
        self.last_line_length = 0  # bytes handed to lxml after the last newline
        self._out = b""  # repaired bytes not yet handed to lxml
        self._carry = b""  # raw bytes held back (a start tag cut by the chunk end)
        self._lines_in = 0  # newlines repaired so far (for warnings' line numbers)
        try:
            self._head = self._prepare(stats)
        except BaseException:
            self.close()
            raise

    def _prepare(self, stats: ParseStats) -> bytes:
        head = self._fh.read(65536)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (
            b"<\x00?\x00",
            b"\x00<\x00?",
        ):
            raise ParseError(
                "UTF-16/32 encoded file: convert it to UTF-8 first (iconv -t UTF-8)",
                1,
                1,
                path=self.name,
            )
        start = 0
        decl = head.find(_XML_DECL, 0, _MAX_PREFIX + len(_XML_DECL))
        if decl > 0:
            prefix = head[:decl]
            if b"<" in prefix:
                line, col = _position(head, 0)
                raise ParseError(
                    "unexpected content before the XML declaration",
                    line,
                    col,
                    path=self.name,
                )
            start = decl
        elif decl < 0:
            # No declaration: only a BOM and whitespace may precede the root.
            stripped = head[3:] if head.startswith(_UTF8_BOM) else head
            start = len(head) - len(stripped.lstrip(b" \t\r\n"))
            if start and not head.startswith(_UTF8_BOM):
                start = 0  # plain leading whitespace is legal XML without a declaration
        if start:
            prefix = head[:start]
            self.line_offset = prefix.count(b"\n")
            self.column_offset = start - (prefix.rfind(b"\n") + 1)
            stats.skipped_prefix_bytes = start
            shown = prefix.removeprefix(_UTF8_BOM)
            stats.warn(
                f"skipped {start} byte(s) before the XML declaration: {shown!r}"
                + (" (UTF-8 BOM)" if prefix.startswith(_UTF8_BOM) else ""),
                1,
            )
        while not self._check_prolog(head, start):
            more = self._fh.read(65536)
            if not more:
                break  # lxml will report the truncated document
            head += more
            if len(head) > _PROLOG_LIMIT:
                raise ParseError(
                    "no root element in the first MiB of the file", 1, 1, path=self.name
                )
        return head[start:]

    def _check_prolog(self, head: bytes, start: int) -> bool:
        """Walk declaration, comments, PIs and whitespace up to the root; refuse DOCTYPE.

        Returns ``True`` once the root element's start was reached, ``False`` if
        ``head`` ends inside the prolog (the caller reads more).
        """
        pos = start
        n = len(head)
        while pos < n:
            ch = head[pos : pos + 1]
            if ch in (b" ", b"\t", b"\r", b"\n"):
                pos += 1
            elif head.startswith(b"<?", pos):
                end = head.find(b"?>", pos)
                if end < 0:
                    break
                pos = end + 2
            elif head.startswith(b"<!--", pos):
                end = head.find(b"-->", pos)
                if end < 0:
                    break
                pos = end + 3
            elif head[pos : pos + 9].upper() == b"<!DOCTYPE":
                line, col = self._orig_position(head, pos)
                raise ParseError(
                    "DOCTYPE declarations are not allowed in an export file (DTDs and entities "
                    "are how XML bombs and XXE attacks work; real exports never have one)",
                    line,
                    col,
                    path=self.name,
                )
            elif pos + 9 > n and b"<!DOCTYPE".startswith(head[pos:].upper()):
                break  # might be the start of a DOCTYPE cut by the chunk end
            else:
                return True  # root element (or garbage lxml will report) starts here
        return False

    def _orig_position(self, head: bytes, offset: int) -> tuple[int, int]:
        return _position(head, offset)  # head still includes the prefix here

    def adjust(self, line: int, column: int) -> tuple[int, int]:
        """Map a (line, column) of the stream lxml saw back to the original file."""
        if line == 1:
            column += self.column_offset
        return line + self.line_offset, column

    def end_position(self) -> tuple[int, int]:
        """(line, column) in the original file just after the last byte handed to lxml."""
        return self.adjust(self.lines_out + 1, self.last_line_length + 1)

    def _repair(self, data: bytes, final: bool) -> bytes:
        """Quote unquoted attribute values (see module doc), warning once per place."""
        data = self._carry + data
        self._carry = b""
        if not final:
            lt = data.rfind(b"<", max(0, len(data) - _TAG_CARRY))
            if lt >= 0 and data.find(b">", lt) < 0:
                data, self._carry = data[:lt], data[lt:]
        if b"=" not in data:
            self._lines_in += data.count(b"\n")
            return data
        line_base = self._lines_in
        pieces: list[bytes] = []
        pos = 0
        for _ in range(64):  # a tag with several unquoted values needs one pass each
            found = False
            pieces, pos = [], 0
            for m in _UNQUOTED_ATTR.finditer(data):
                found = True
                pieces += [data[pos : m.start(2)], b'"', m.group(2), b'"']
                pos = m.end(2)
                if len(self.stats.warnings) < self.stats.max_warnings:
                    line = line_base + data.count(b"\n", 0, m.start(2)) + 1 + self.line_offset
                    value = m.group(2).decode("utf-8", "replace")
                    self.stats.warn(f"quoted the unquoted attribute value {value!r}", line)
            if not found:
                break
            data = b"".join([*pieces, data[pos:]])
        self._lines_in += data.count(b"\n")
        return data

    def _fill(self, size: int) -> None:
        while not self.eof and (size < 0 or len(self._out) < size):
            if self._head:
                raw, self._head = self._head, b""
            else:
                raw = self._fh.read(_READ_CHUNK)
                if not raw:
                    self.eof = True
            self._out += self._repair(raw, final=self.eof)

    def read(self, size: int = -1) -> bytes:
        """File-object protocol for lxml: the kept head first, then the rest, repaired."""
        if size is None:
            size = -1
        self._fill(size)
        if size < 0:
            data, self._out = self._out, b""
        else:
            data, self._out = self._out[:size], self._out[size:]
        newlines = data.count(b"\n")
        if newlines:
            self.lines_out += newlines
            self.last_line_length = len(data) - data.rfind(b"\n") - 1
        else:
            self.last_line_length += len(data)
        return data

    def close(self) -> None:
        """Close the underlying file if we opened it."""
        if self._owned:
            self._fh.close()


def parse_source(
    source: Source,
    stats: ParseStats | None,
    parse: Callable[..., Iterator[Any]],
    **options: Any,
) -> Iterator[Any]:
    """Open ``source`` as a :class:`SafeXMLSource` and yield ``parse(src, stats, **options)``,
    closing the source however the iteration ends (the parsers' shared entry)."""
    stats = stats if stats is not None else ParseStats()
    src = SafeXMLSource(source, stats)
    try:
        yield from parse(src, stats, **options)
    finally:
        src.close()


def iterparse_safe(
    src: SafeXMLSource, tags: tuple[str, ...], *, recover: bool, stats: ParseStats
) -> Iterator[etree._Element]:
    """Yield ``end`` events' elements for ``tags``; map syntax errors to ParseError.

    The caller must clear elements it has handled (see :func:`release`).
    In ``recover`` mode libxml2's recovered errors become warnings in ``stats``
    (with original line:column) instead of stopping the parse.
    """
    it = etree.iterparse(
        src,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )
    checked = False
    try:
        for _event, el in it:
            if not checked:
                _refuse_dtd(el, src)
                checked = True
            yield el
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, src) from None
    finally:
        if recover:
            for entry in it.error_log:
                line, column = src.adjust(entry.line, entry.column)
                stats.warn(f"column {column}: recovered from XML error: {entry.message}", line)
    root = getattr(it, "root", None)
    if root is not None and not checked:
        _refuse_dtd(root, src)


def _syntax_error(exc: etree.XMLSyntaxError, src: SafeXMLSource) -> ParseError:
    """A :class:`ParseError` for libxml2's error, in words a newsroom can act on.

    A file that ends inside the XML is called cut off (libxml2 then says things like
    "Premature end of data" or even "Unregistered error message"), with the place it
    ends; an undeclared namespace prefix is marked ``recoverable``.
    """
    line, column = exc.position if exc.position else (exc.lineno or 0, 0)
    line, column = src.adjust(line, column)
    msg = exc.msg or str(exc)
    msg = re.sub(r",? line \d+, column \d+.*$", "", msg).strip()
    end_line, end_column = src.end_position()
    if src.eof and not src._out and line >= end_line:
        detail = "" if "Unregistered" in msg else f" (the XML parser says: {msg})"
        return ParseError(
            f"the file ends in the middle of the XML, at line {end_line}, column {end_column}"
            f"{detail}: it looks cut off (an interrupted download or copy); "
            "get the complete export again",
            end_line,
            end_column,
            path=src.name,
        )
    if msg.startswith("Namespace prefix") and msg.endswith("is not defined"):
        return ParseError(
            f"malformed XML: {msg} (an undeclared namespace prefix)",
            line,
            column,
            path=src.name,
            recoverable=True,
        )
    return ParseError(f"malformed XML: {msg}", line, column, path=src.name)


def _refuse_dtd(el: etree._Element, src: SafeXMLSource) -> None:
    docinfo = el.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise ParseError(
            "DOCTYPE declarations are not allowed in an export file",
            1,
            1,
            path=src.name,
        )


def release(el: etree._Element) -> None:
    """Free a handled top-level element and every sibling before it (flat memory)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def text_of(el: etree._Element | None) -> str:
    """Stripped text content of ``el`` (CDATA included), ``""`` if absent."""
    if el is None:
        return ""
    return (el.text or "").strip()
