"""The edge cache: anonymous readers served in front of Django, from rendered pages.

A WSGI wrapper (``masthead.wsgi.application``) that answers anonymous ``GET`` requests
from pages Django already rendered and stored (:mod:`masthead.core.page_cache`),
without building a Django request, running middleware or touching page routing:

* a page the same for every anonymous reader (home, sections, tags, free stories,
  feeds, sitemaps) is returned as stored;
* a gated story (metered or subscribers-only) is stored as variants named after the
  entitlement's shape (``full``, ``leadin:meter_exhausted``,
  ``leadin:subscribers_only``) with the meter line left as a slot. The edge makes the
  reader's meter decision (the same rules as :func:`masthead.metering.services.decide`):
  a re-read or a used-up meter from the meter mirror in the cache, anything that may
  count through :func:`~masthead.metering.services.decide_for` (one Redis script, or
  the database with its row lock), then fills the slot with that reader's meter line.

Signed-in members' story pages are answered here too, from the member variants of
:mod:`masthead.core.member_pages`, once Django has served that page from one in this
process (which gives the final headers the middleware adds): the session is read
through Django's session engine, the user through the configured backend (cached) with
the session's auth hash checked as Django checks it, the CSRF cookie read and renewed
by Django's ``CsrfViewMiddleware``, and the same :func:`~masthead.core.member_pages.serve_member`
decides and fills the page. Any session, user or request it is not sure of goes to
Django (see :meth:`EdgeCache._member_answer`).

Anything it cannot answer exactly (a session or messages cookie, a method other than
GET, an entry or variant not rendered yet, any error) goes to Django unchanged, which
renders, decides and stores for the next reader. Entries are looked up first in a
small per-process store, then in Django's cache (Redis in production); both are keyed
by the content version, which is re-read from the cache at most every
``MASTHEAD_EDGE_POLL_SECONDS`` (default 0.2 s), so a publish or edit is visible within
that time plus one render (issue 7 asks for 5 s).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie

from masthead.core.page_cache import (
    PAGE,
    STORY,
    cacheable_query,
    find_entry,
    local_get,
    polled_version,
    stamped_variant_key,
    story_page_key,
    story_pointer,
)
from masthead.metering.purpose import is_prefetch

logger = logging.getLogger(__name__)

# How long readers of a page wait for another thread's render of it (seconds) before
# rendering it themselves.
FLIGHT_WAIT_SECONDS = 10.0
# Set in the WSGI environ when the edge looked for the page and found nothing, so
# Django's page cache middleware renders without looking again.
LOOKED = "masthead.edge.looked"

# Headers of a Django answer that belong to that response only.
_PER_RESPONSE = ("set-cookie", "content-length", "x-masthead-cache")
# Session keys of a plain signed-in session (Django's sign-in keys, allauth's record of
# how the member signed in and of the address verified at sign-up, which only its sign-in
# and sign-up views read, an expiry); a session with anything else goes to Django.
_MEMBER_SESSION_KEYS = frozenset(
    {
        "_auth_user_id",
        "_auth_user_backend",
        "_auth_user_hash",
        "_session_expiry",
        "account_authentication_methods",
        "account_authentication_methods_user",
        "account_verified_email",
    }
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class EdgeCache:
    """Wrap the Django WSGI ``app``; see the module documentation.

    Pages and variants come from :func:`~masthead.core.page_cache.local_get` under the
    version from :func:`~masthead.core.page_cache.polled_version`, the same per-process
    store the member pages use.
    """

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.poll_seconds = float(getattr(settings, "MASTHEAD_EDGE_POLL_SECONDS", 0.2))
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self._cookie_ids: dict[str, str] = {}
        self._mirrors: dict[str, tuple[float, Any, frozenset[int]]] = {}
        self._flights: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.members = bool(getattr(settings, "MASTHEAD_EDGE_MEMBERS", True))
        # Final headers of a member page Django served from a member variant, per page key
        # and scheme (what the middleware around the view adds is the same for every
        # member; cookies and length are per response and never kept).
        self._member_headers: dict[tuple[str, str], list[tuple[str, str]]] = {}
        from importlib import import_module

        from django.middleware.csrf import CsrfViewMiddleware

        self._session_store = import_module(settings.SESSION_ENGINE).SessionStore
        # Sessions kept in the default cache (Django's cache and cached_db engines) are
        # read in the same round trip as the member's user, snapshot and meter mirror.
        from django.contrib.sessions.backends import cache as cache_sessions
        from django.contrib.sessions.backends import cached_db

        self._session_in_cache = (
            issubclass(self._session_store, (cache_sessions.SessionStore, cached_db.SessionStore))
            and settings.SESSION_CACHE_ALIAS == "default"
        )
        # Session key -> user id of its last full check. Only chooses which keys to read
        # with the session: every request checks the session's own user id, backend and
        # auth hash (Django gives a new session key on every sign-in, so a key names one
        # user for its whole life).
        self._session_users: dict[str, int] = {}
        self._csrf = CsrfViewMiddleware(lambda request: HttpResponse())
        from masthead.metering import services as meter

        self.meter = meter
        self._slot = meter.METER_SLOT.encode()

    # --- WSGI ---------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not cacheable_query(environ.get("QUERY_STRING", ""))
            or is_prefetch(environ)  # never counts: Django decides without counting
        ):
            return self.app(environ, start_response)
        raw_cookie = environ.get("HTTP_COOKIE", "")
        cookies = parse_cookie(raw_cookie) if raw_cookie else {}
        if self.session_cookie in cookies or "messages" in cookies:
            if (
                self.members
                and "messages" not in cookies
                and self.meter.COOKIE_NAME not in cookies  # Django moves it onto the account
            ):
                return self._member(environ, start_response, cookies)
            return self.app(environ, start_response)
        try:
            answer, missing = self._answer(environ, cookies)
        except Exception:  # noqa: BLE001 - the edge only ever speeds up; Django decides
            logger.exception("edge cache failed; passing the request to Django")
            answer, missing = None, None
        if answer is None and missing is not None:
            # Single flight: one render per page and process after a publish, while
            # the other readers of that page wait for it instead of rendering it too.
            lock = self._flight(missing)
            got = lock.acquire(blocking=False)
            waited = not got
            if waited:
                got = lock.acquire(timeout=FLIGHT_WAIT_SECONDS)
            try:
                if waited:  # another thread rendered it meanwhile, most likely
                    try:
                        answer, _ = self._answer(environ, cookies)
                    except Exception:  # noqa: BLE001
                        answer = None
                if answer is None:
                    environ[LOOKED] = True  # Django's page cache need not look again
                    return self.app(environ, start_response)
            finally:
                if got:
                    lock.release()
                    with self._lock:
                        self._flights.pop(missing, None)
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    # --- signed-in members --------------------------------------------------------------
    def _member(
        self, environ: dict[str, Any], start_response: Callable[..., Any], cookies: dict[str, str]
    ) -> Iterable[bytes]:
        """A signed-in member's ``GET``: answered here from a member variant when Django
        already served that page from one in this process (its final headers are then
        known), else passed to Django, whose answer teaches those headers."""
        polled_version()  # a new content version empties this process's copies
        key = story_page_key(environ)
        learned_key = (key, environ.get("wsgi.url_scheme", "http"))
        headers = self._member_headers.get(learned_key)
        answer = None
        if headers is not None:
            try:
                answer = self._member_answer(environ, cookies, key, headers)
            except Exception:  # noqa: BLE001 - the edge only ever speeds up; Django decides
                logger.exception("edge cache failed for a member; passing the request to Django")
        if answer is not None:
            status, out, body = answer
            start_response(status, out)
            return [body]

        def learn(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("200 ") and ("X-Masthead-Cache", "member") in headers:
                if len(self._member_headers) >= 5000:
                    self._member_headers.clear()
                self._member_headers[learned_key] = [
                    (k, v) for k, v in headers if k.lower() not in _PER_RESPONSE
                ]
            return start_response(status, headers, exc_info)

        return self.app(environ, learn)

    def _member_answer(
        self,
        environ: dict[str, Any],
        cookies: dict[str, str],
        key: str,
        headers: list[tuple[str, str]],
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The member's page from :func:`~masthead.core.member_pages.serve_member`, or
        ``None`` for anything Django must see: a session that is missing, expired,
        carries anything but the sign-in keys (pending messages, a save waiting for
        sign-in, a login in progress) or whose auth hash no longer matches the user (a
        password change), an unknown backend, an inactive user, staff, and a session
        whose activity is due to be recorded (:mod:`masthead.accounts.middleware`).
        The CSRF cookie is read and set by Django's own ``CsrfViewMiddleware``."""
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
            get_user_model,
            load_backend,
        )
        from django.core.cache import cache
        from django.core.handlers.wsgi import WSGIRequest
        from django.utils import timezone
        from django.utils.crypto import constant_time_compare

        from masthead.accounts.backends import CachedUserMixin, user_key
        from masthead.accounts.middleware import seen_key
        from masthead.core.member_pages import member_keys, pointer_key, serve_member

        pointer = story_pointer(pointer_key(key))
        if pointer is None:
            return None
        session_key = cookies[self.session_cookie]
        session = self._session_store(session_key)
        if session.session_key is None:
            return None  # not a well-formed session key: Django answers
        # One round trip: the session, and (for a session seen before in this process)
        # its user, the member's snapshot, the activity key and the meter mirror.
        now = timezone.now()
        extra = (seen_key(session_key),)
        hint = self._session_users.get(session_key)
        keys = [session.cache_key] if self._session_in_cache else []
        if hint is not None:
            keys += [user_key(hint), *member_keys(hint, pointer[1], now, extra)]
        found = cache.get_many(keys) if keys else {}
        close_old_connections()
        try:
            data = found.get(keys[0]) if self._session_in_cache else None
            if data is None:
                data = session.load()  # not in the cache: from the database, as Django does
            if SESSION_KEY not in data or set(data) - _MEMBER_SESSION_KEYS:
                return None
            backend_path = data.get(BACKEND_SESSION_KEY)
            if backend_path not in settings.AUTHENTICATION_BACKENDS:
                return None
            user_id = get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
            backend = load_backend(backend_path)
            prefetched = hint is not None and hint == user_id
            if not prefetched and isinstance(backend, CachedUserMixin):
                # A session's first page in this process: its user and the member's keys
                # in one more round trip (not one each).
                found = cache.get_many(
                    [user_key(user_id), *member_keys(user_id, pointer[1], now, extra)]
                )
                prefetched = True
            if prefetched and isinstance(backend, CachedUserMixin) and user_key(user_id) in found:
                user = found[user_key(user_id)]  # what backend.get_user reads from the cache
            else:
                user = backend.get_user(user_id)
            if user is None or not user.is_active or user.is_staff or user.is_superuser:
                return None
            session_hash = data.get(HASH_SESSION_KEY)
            if not session_hash or not constant_time_compare(
                session_hash, user.get_session_auth_hash()
            ):
                return None
            request = WSGIRequest(environ)
            request.session = session
            request.user = user
            self._csrf.process_request(request)
            response = serve_member(
                request,
                user,
                key,
                extra_keys=extra,
                found=found if prefetched else None,
                now=now,
            )
            if response is None:
                return None
            self._csrf.process_response(request, response)
            if hint != user_id:
                if len(self._session_users) >= 50000:
                    self._session_users.clear()
                self._session_users[session_key] = user_id
        finally:
            close_old_connections()
        body = response.content
        out = [
            *headers,
            *(("Set-Cookie", c.OutputString()) for c in response.cookies.values()),
            ("Content-Length", str(len(body))),
            ("X-Masthead-Cache", "member-edge"),
        ]
        return f"{response.status_code} {HTTPStatus(response.status_code).phrase}", out, body

    def _flight(self, key: str) -> threading.Lock:
        with self._lock:
            lock = self._flights.get(key)
            if lock is None:
                lock = self._flights[key] = threading.Lock()
            return lock

    # --- lookups ------------------------------------------------------------------------
    def _meter_id(self, raw: str | None) -> str | None:
        """The anonymous meter id of a signed cookie value, ``None`` if invalid."""
        if not raw:
            return None
        known = self._cookie_ids.get(raw)
        if known is None:
            # Django's own signed-cookie check (public API), once per distinct cookie.
            probe = HttpRequest()
            probe.COOKIES = {self.meter.COOKIE_NAME: raw}
            try:
                value = probe.get_signed_cookie(
                    self.meter.COOKIE_NAME, default=None, salt=self.meter.COOKIE_SALT
                )
            except Exception:  # noqa: BLE001 - any malformed cookie is a fresh meter
                value = None
            known = value if isinstance(value, str) and self.meter._ANON_ID_RE.match(value) else ""  # noqa: SLF001
            if len(self._cookie_ids) >= 10000:
                self._cookie_ids.clear()
            self._cookie_ids[raw] = known
        return known or None

    # --- answers ------------------------------------------------------------------------
    def _answer(
        self, environ: dict[str, Any], cookies: dict[str, str]
    ) -> tuple[tuple[str, list[tuple[str, str]], bytes] | None, str | None]:
        """``(answer or None, page key if no entry exists for the page at all)``."""
        key, entry = find_entry(environ)
        if entry is None:
            return None, key
        if entry[0] == PAGE:
            _kind, status, headers, body = entry
            return self._response(status, headers, body), None
        if entry[0] == STORY:
            return self._story(environ, cookies, key, entry), None
        return None, None

    def _seen(self, reader_key: str, start: Any) -> frozenset[int] | None:
        """The meter mirror, re-read from the cache at most every ``poll_seconds``.

        Safe to hold briefly because the edge only acts on facts that stay true all
        month (a story counted, a meter used up); the count shown may lag by that long.
        """
        now = time.monotonic()
        memo = self._mirrors.get(reader_key)
        if memo is not None and now - memo[0] < self.poll_seconds and memo[1] == start:
            return memo[2]
        seen = self.meter.read_mirror(reader_key, start)
        if seen is not None:
            if len(self._mirrors) >= 50000:
                self._mirrors.clear()
            self._mirrors[reader_key] = (now, start, seen)
        return seen

    def _response(
        self, status: int, headers: list[tuple[str, str]], body: bytes, *extra: tuple[str, str]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        out = [*headers, *extra, ("Content-Length", str(len(body))), ("X-Masthead-Cache", "edge")]
        return f"{status} {HTTPStatus(status).phrase}", out, body

    def _story(
        self, environ: dict[str, Any], cookies: dict[str, str], key: str, entry: tuple
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        m = self.meter
        _kind, story_id, level, limit, stamps = entry
        start = m.period_start()
        meter_id = self._meter_id(cookies.get(m.COOKIE_NAME))
        new_id = None
        if level == "metered":
            if meter_id is None:
                if local_get(stamped_variant_key(key, stamps, "full")) is None:
                    return None  # nothing to serve yet: Django starts the meter
                new_id = uuid.uuid4().hex
                reader = m.Reader(m.ANONYMOUS, f"a:{new_id}", limit, fresh=True)
                entitlement = self._decide(reader, story_id, level, record=True)
            else:
                reader = m.Reader(m.ANONYMOUS, f"a:{meter_id}", limit)
                seen = self._seen(reader.key, start)
                entitlement = m.decide_from_mirror(reader, story_id, seen, start) or self._decide(
                    reader, story_id, level, record=True
                )
        elif level == "subscribers":
            reader = m.Reader(m.ANONYMOUS, f"a:{meter_id}" if meter_id else None, limit)
            entitlement = self._decide(reader, story_id, level, record=False)
        else:
            return None
        variant = local_get(stamped_variant_key(key, stamps, entitlement.cut))
        if variant is None:
            if new_id:
                environ[m.EDGE_NEW_ID] = new_id  # Django continues this reader's meter
            return None
        status, headers, body = variant
        body = body.replace(self._slot, m.meter_html(entitlement).encode())
        if new_id:
            return self._response(status, headers, body, ("Set-Cookie", self._cookie(new_id)))
        return self._response(status, headers, body)

    def _decide(self, reader: Any, story_id: int, level: str, *, record: bool) -> Any:
        if reader.key:
            self._mirrors.pop(reader.key, None)
        close_old_connections()
        try:
            return self.meter.decide_for(reader, story_id, level, record=record)
        finally:
            close_old_connections()

    def _cookie(self, meter_id: str) -> str:
        response = HttpResponse()
        response.set_signed_cookie(self.meter.COOKIE_NAME, meter_id, **self.meter.cookie_settings())
        return response.cookies[self.meter.COOKIE_NAME].OutputString()


def wrap(app: WSGIApp) -> WSGIApp:
    """``app`` behind the edge cache unless ``MASTHEAD_EDGE_CACHE`` is off."""
    if not getattr(settings, "MASTHEAD_EDGE_CACHE", True):
        return app
    return EdgeCache(app)
