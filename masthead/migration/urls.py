"""Match old thread URLs to new stories: a normalised URL key and a mapping file reader.

The key is *not* a URL to fetch: it is a comparison string, ``host/path``, built
with RFC 3986 section 6 normalisations (case of scheme/host, percent-encoding,
dot segments) plus news-site equivalences (``www.``, AMP variants, trailing
slash, ``index.html``, query and fragment ignored, old host names merged).
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections.abc import Sequence

__all__ = ["MappingFileError", "normalise_story_url", "read_mapping_file"]

# Any number of leading "scheme:" or "scheme://" (covers "https://https://x", seen in
# Remark42's Disqus fixture) followed by an optional "//".
_SCHEME_RE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*://)+")
# RFC 3986 appendix B, for a "//authority/path?query#fragment" or "/path" string.
_SPLIT_RE = re.compile(r"^(?://([^/?#]*))?([^?#]*)")
_HOST_PORT_RE = re.compile(r"^(\[[^\]]*\]|[^:]*)(?::(\d*))?$")
_PCT_RE = re.compile(rb"%([0-9A-Fa-f]{2})")
# Bytes that stay percent-encoded in the key: controls, space, and the delimiters
# whose decoding would change the path's meaning ("/", "?", "#") or make the
# operation non-idempotent ("%") (RFC 3986 2.4: decode only what is safe).
_KEEP_ENCODED = frozenset(range(0x21)) | {0x7F, ord("/"), ord("?"), ord("#"), ord("%")}
_INDEX_RE = re.compile(r"/index\.(?:html?|php|aspx?|jsp)$", re.IGNORECASE)


def _normalise_path(path: str) -> str:
    """Decode percent-encoding consistently; keep structural bytes encoded in upper case."""
    raw = path.encode("utf-8", "surrogatepass")
    out = bytearray()
    i = 0
    while i < len(raw):
        b = raw[i]
        m = _PCT_RE.match(raw, i) if b == 0x25 else None
        if m:
            value = int(m.group(1), 16)
            out += b"%%%02X" % value if value in _KEEP_ENCODED else bytes([value])
            i += 3
        elif b in _KEEP_ENCODED and b not in (0x2F, 0x25):
            out += b"%%%02X" % b
            i += 1
        else:
            out.append(b)
            i += 1
    # Bytes that do not form UTF-8 stay encoded (RFC 3987 3.2 rule).
    text = out.decode("utf-8", "surrogateescape")
    # Unicode whitespace/controls (e.g. U+0085, U+2028) stay encoded so a key never
    # has invisible characters that .strip() or a copy-paste could change.
    return "".join(_encode_char(c) for c in text)


def _encode_char(c: str) -> str:
    if 0xDC80 <= ord(c) <= 0xDCFF:  # undecodable byte (surrogateescape)
        return f"%{ord(c) - 0xDC00:02X}"
    if c.isspace() or unicodedata.category(c) == "Cc":
        return "".join(f"%{b:02X}" for b in c.encode("utf-8"))
    return c


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 (simplified: empty segments are also collapsed)."""
    segments: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segments:
                segments.pop()
            continue
        segments.append(seg)
    return "/" + "/".join(segments) if segments else ""


def _normalise_host(host: str) -> str:
    """Apply :func:`_normalise_host_once` until stable (at most a few rounds)."""
    for _ in range(8):
        new = _normalise_host_once(host)
        if new == host:
            break
        host = new
    return host


def _normalise_host_once(host: str) -> str:
    if "@" in host:  # userinfo
        host = host.rsplit("@", 1)[1]
    host = host.strip().lower().rstrip(".")
    m = _HOST_PORT_RE.match(host)
    if m:
        name, port = m.group(1), m.group(2)
        host = name if port in (None, "", "80", "443") else f"{name}:{port}"
    if "xn--" in host:
        try:
            host = host.encode("ascii").decode("idna")
        except UnicodeError:
            pass
    while host.startswith(("www.", "amp.")) and len(host) > 4:
        host = host[4:]
    return host


def normalise_story_url(url: str, old_hosts: Sequence[str] = ()) -> str:
    """Return the matching key ``"host/path"`` for a story URL (idempotent).

    Rules, in order:

    * surrounding whitespace and any (repeated) ``scheme://`` prefix are dropped;
      scheme-less input (``example.com/a``, ``//example.com/a``) is accepted, and
      a value starting with ``/`` is a path on an unknown host (key ``/path``);
    * host: lower-cased, userinfo, trailing dot and ports 80/443 dropped, IDNA
      ``xn--`` labels decoded, leading ``www.`` and ``amp.`` removed, then any
      host in ``old_hosts`` replaced by ``old_hosts[0]`` (all are taken to be
      names of the same site, the first being canonical);
    * query string and fragment dropped (covers ``?amp=1``, tracking params);
    * path: percent-encoding decoded to UTF-8 except ``/ ? # %``, space and
      controls, which stay encoded with upper-case hex (RFC 3986 2.1, 6.2.2.1-2);
      dot segments and empty segments removed (RFC 3986 5.2.4); a trailing
      ``/amp`` segment, a leading ``/amp/`` segment and a final
      ``index.html``/``index.php``/... removed; trailing slash dropped.
      Path case is kept (paths are case-sensitive, RFC 3986 6.2.2.1).

    Examples: ``https://www.Example.com/news/story/?amp=1#c`` and
    ``http://amp.example.com/news/story/amp/`` both give ``example.com/news/story``.
    An empty or blank ``url`` gives ``""``.
    """
    text = url.strip()
    if not text:
        return ""
    m = _SCHEME_RE.match(text)
    if m:
        text = "//" + text[m.end() :].lstrip("/")
    elif not text.startswith("/"):
        text = "//" + text  # scheme-less "example.com/a"
    # now "//host/path" or "/path" (no host)
    parts = _SPLIT_RE.match(text)  # always matches
    assert parts is not None
    host = _normalise_host(parts.group(1)) if parts.group(1) is not None else ""
    if host:
        canon = [_normalise_host(h) for h in old_hosts if h.strip()]
        if host in canon:
            host = canon[0]
    path = _remove_dot_segments(_normalise_path(parts.group(2)))
    previous = None
    while path != previous:
        previous = path
        if path.startswith("/amp/") or path == "/amp":
            path = path[4:]
        path = path.removesuffix("/amp")
        path = _INDEX_RE.sub("", path)
    return f"{host}{path}"


class MappingFileError(ValueError):
    """A mapping file is unusable. ``line`` is the 1-based physical line (0 = whole file)."""

    def __init__(self, message: str, line: int = 0, path: str = "") -> None:
        self.line = line
        self.path = path
        super().__init__(f"{path}:{line}: {message}" if path else message)


def _looks_like_url(value: str) -> bool:
    return bool(_SCHEME_RE.match(value)) or value.startswith(("/", "www."))


def read_mapping_file(
    path: str | os.PathLike[str], *, old_hosts: Sequence[str] = ()
) -> dict[str, str]:
    """Read an ``old,new`` CSV mapping old URLs/identifiers to new story paths.

    The file is UTF-8 (BOM allowed) with the header ``old,new`` (case and
    surrounding spaces ignored; extra columns allowed). ``old`` is an old URL
    (``scheme://...``, ``//...``, ``www....`` or ``/path``) -- stored under its
    :func:`normalise_story_url` key -- or any other old thread identifier (e.g. a
    Disqus ``<id>``), stored stripped as-is. ``new`` is a path on the new site
    and must start with ``/``. Blank lines are skipped.

    Returns:
        ``{key: new_path}``. Look up thread URLs with ``normalise_story_url(url,
        old_hosts)`` and identifiers as they are.

    Raises:
        MappingFileError: missing file, not UTF-8, wrong header, empty cell,
            ``new`` not starting with ``/``, or the same old key mapped to two
            different paths (the line of the second is given).
    """
    name = os.fspath(path)
    mapping: dict[str, str] = {}
    first_line: dict[str, int] = {}
    try:
        with open(name, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            try:
                header = [h.strip().lower() for h in next(reader)]
            except StopIteration:
                raise MappingFileError("empty file; expected header 'old,new'", 1, name) from None
            if "old" not in header or "new" not in header:
                raise MappingFileError(
                    f"header must contain 'old,new', found {','.join(header)!r}",
                    1,
                    name,
                )
            i_old, i_new = header.index("old"), header.index("new")
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) <= max(i_old, i_new):
                    raise MappingFileError(
                        f"expected {len(header)} columns, found {len(row)}", line, name
                    )
                old, new = row[i_old].strip(), row[i_new].strip()
                if not old or not new:
                    raise MappingFileError("empty 'old' or 'new' value", line, name)
                if not new.startswith("/"):
                    raise MappingFileError(
                        f"'new' must be a site path starting with '/', got {new!r}",
                        line,
                        name,
                    )
                key = normalise_story_url(old, old_hosts) if _looks_like_url(old) else old
                if key in mapping and mapping[key] != new:
                    raise MappingFileError(
                        f"{old!r} maps to {new!r} but line {first_line[key]} already maps it to {mapping[key]!r}",
                        line,
                        name,
                    )
                mapping[key] = new
                first_line.setdefault(key, line)
    except FileNotFoundError:
        raise MappingFileError("file not found", 0, name) from None
    except UnicodeDecodeError as exc:
        raise MappingFileError(f"not valid UTF-8 ({exc.reason})", 0, name) from None
    except csv.Error as exc:
        raise MappingFileError(f"malformed CSV: {exc}", 0, name) from None
    return mapping
