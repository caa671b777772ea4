"""Stamps for cached parts of a story page, so a first render is mostly assembly.

A story page is built from parts that change for different reasons:

* the **article** parts (meta tags and JSON-LD, header with section, headline, standfirst,
  byline, dateline and lead image, the lead-in and gated body blocks, the tag list)
  change only when that story is saved or published, or when something shared by
  every story changes (a section, an author, an image, a tag, the site, a setting);
* the **comment thread** seen by anonymous readers changes when a comment on that
  story changes, or the thread opens or closes.

Each part is cached with Django's ``{% cache %}`` template tag under the stamps made
here (the stamps are part of the key), so a publish of *another* story, which
invalidates every whole page (:mod:`masthead.core.page_cache`), leaves this story's
parts valid and its next render only assembles them. Invalidation, not expiry:

* :func:`forget_page` (every ``post_save``, publish, unpublish and delete of a page)
  drops that page's stamp;
* :func:`bump_shared_epoch` (sections, authors, images, tags, sites and the comment
  and meter settings) renews every article part;
* :func:`comments_changed` drops the comment stamps of the stories named, or renews
  every thread when no story is named.

A missing stamp is created from the microsecond clock, so a flushed cache never
brings back an older key. Stamps are read with one ``get_many`` per render, and changed only after the
transaction commits.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction

from masthead.core.page_cache import bump_content_version, bump_counter, clock_stamp

SHARED_EPOCH_KEY = "masthead:frag:shared"
COMMENTS_EPOCH_KEY = "masthead:frag:comments"
FRAGMENT_TTL = 24 * 3600  # seconds: bounds memory; freshness comes from the stamps


@functools.cache
def release() -> str:
    """A short digest of this release: the project's templates and Python code (what is
    shown and how it is cut, e.g. a story's lead-in, models and migrations) and the
    static files' manifest (hashed names). Part of every fragment and page-object key,
    so a deploy never serves parts rendered by the previous one. Computed once per
    process (a few hundred files)."""
    from django.conf import settings

    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    code = (p for p in base.glob("**/*.py") if "tests" not in p.relative_to(base).parts)
    files = sorted(base.glob("templates/**/*.html")) + sorted(code)
    for path in files:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()


def _page_key(pk: int) -> str:
    return f"masthead:frag:page:{pk}"


def _comments_key(pk: int) -> str:
    return f"masthead:frag:cmt:{pk}"


@dataclass(frozen=True)
class StoryStamps:
    """The cache-key parts of one story's fragments.

    ``article``: ``"<pk>.<last published, s>.<page stamp>.<shared epoch>"``;
    ``comments``: the article stamp, then ``".<comment stamp>.<comments epoch>"`` (a
    thread shows the story's own switch and link too). ``page``: the part that
    :func:`forget_page` renews, also used for the cached page object.
    """

    article: str
    comments: str
    page: str


def _object_key(pk: int) -> str:
    return f"masthead:frag:obj:{release()}:{pk}"


def stamp_keys(pk: int) -> list[str]:
    """The cache keys of :func:`read_stamps` for story ``pk``, in its order."""
    return [SHARED_EPOCH_KEY, COMMENTS_EPOCH_KEY, _page_key(pk), _comments_key(pk)]


def current_stamps(pk: int) -> tuple[int, ...] | None:
    """The stamps of story ``pk`` as :func:`read_stamps` gives them, read now with one
    ``get_many`` and never created: ``None`` when any is missing (a change dropped it,
    or the cache was flushed), which matches no stored entry."""
    keys = stamp_keys(pk)
    found = cache.get_many(keys)
    if len(found) != len(keys):
        return None
    return tuple(int(found[k]) for k in keys)


def render_stamps(pk: int, request: Any) -> tuple[int, ...] | None:
    """The stamps of story ``pk`` this request's render read (before it loaded the page,
    see :func:`cached_page`), or ``None`` if it read none: what a cached whole page of
    that story is stored under (:mod:`masthead.core.page_cache`)."""
    memo = request.__dict__.get("_masthead_stamps") or {}
    hit = memo.get(pk)
    return tuple(hit[0]) if hit is not None else None


def read_stamps(pk: int, request: Any = None) -> tuple[int, int, int, int]:
    """``(shared epoch, comments epoch, page stamp, comment stamp)`` of story ``pk``,
    creating any that is missing: one ``get_many`` (which also fetches the cached page
    object for :func:`cached_page`), remembered on ``request``."""
    memo = request.__dict__.setdefault("_masthead_stamps", {}) if request is not None else {}
    if pk in memo:
        return memo[pk][0]
    keys = stamp_keys(pk)
    found = cache.get_many([*keys, _object_key(pk)])
    values = []
    for key in keys:
        value = found.get(key)
        if value is None:
            cache.add(key, clock_stamp(), timeout=None if "page" not in key else FRAGMENT_TTL)
            value = cache.get(key, 0)
        values.append(int(value))
    memo[pk] = (tuple(values), found.get(_object_key(pk)))
    return memo[pk][0]


def story_stamps(story: Any, request: Any = None) -> StoryStamps:
    """The stamps of ``story`` (a page) for its fragments.

    The article stamp also carries the page's own ``last_published_at``, so a publish
    gives new keys even to a render that read its page just before the commit.
    """
    shared, comments, page, story_comments = read_stamps(story.pk, request)
    published = story.last_published_at.timestamp() if story.last_published_at else 0
    article = f"{story.pk}.{published}.{page}.{shared}"
    return StoryStamps(article, f"{article}.{story_comments}.{comments}", f"{page}.{shared}")


def cached_page(pk: int, request: Any, load: Any) -> Any:
    """The page object of story ``pk``, from the cache when it was stored under the
    current page stamp and shared epoch (a move of any page renews that epoch, as
    descendants' paths change without a save), else ``load()`` (stored for next time;
    ``None`` is not stored).

    The stamps are read before ``load()`` runs, so an object read before a change
    commits is never stored under the stamps that follow it.
    """
    shared, _comments, page, _story_comments = read_stamps(pk, request)
    entry = request.__dict__["_masthead_stamps"][pk][1] if request is not None else None
    if entry is not None and entry[0] == (page, shared):
        return entry[1]
    obj = load()
    if obj is not None:
        cache.set(_object_key(pk), ((page, shared), obj), FRAGMENT_TTL)
    return obj


class FragmentStore:
    """The cached parts of one render, fetched together with one ``get_many``.

    ``keys`` maps a fragment name (as used by ``{% fragment %}``) to its full cache key.
    A name not given here is never cached: the tag then renders it every time.
    """

    def __init__(self, keys: dict[str, str]) -> None:
        tag = release()
        self.keys = {name: f"masthead:frag:{tag}:{name}:{key}" for name, key in keys.items()}
        self._found: dict[str, Any] | None = None

    def get(self, name: str) -> str | None:
        """The stored HTML of fragment ``name``, or ``None`` (not stored, or not cacheable)."""
        if name not in self.keys:
            return None
        if self._found is None:
            self._found = cache.get_many(list(self.keys.values()))
        return self._found.get(self.keys[name])

    def put(self, name: str, html: str) -> None:
        """Store the rendered HTML of fragment ``name`` (ignored for unknown names)."""
        if name in self.keys:
            cache.set(self.keys[name], html, FRAGMENT_TTL)


def forget_page(pk: int | None) -> None:
    """The page ``pk`` changed: its article parts, and any whole page of it
    (:func:`masthead.core.page_cache.story_pointer`), are rendered again on the next
    request. The stamp is dropped now and once more when the transaction commits: a
    render that read the old row in between makes a new stamp with old text, which
    the second drop retires."""
    if pk is not None:
        cache.delete(_page_key(pk))
        transaction.on_commit(lambda: cache.delete(_page_key(pk)))


def bump_shared_epoch(**_: Any) -> None:
    """Something every story shows changed (signal receiver): renew every article part
    once the transaction commits."""
    transaction.on_commit(lambda: bump_counter(SHARED_EPOCH_KEY))


def comments_changed(story_ids: Iterable[int] | None = None) -> None:
    """Comments on ``story_ids`` changed (``None``: on any story, e.g. after an import or
    a member's name was removed): their threads are rendered again."""
    if story_ids is None:
        transaction.on_commit(lambda: bump_counter(COMMENTS_EPOCH_KEY))
    else:
        keys = [_comments_key(pk) for pk in set(story_ids) if pk is not None]
        if keys:
            cache.delete_many(keys)  # now, and again after the commit (see forget_page)
            transaction.on_commit(lambda: cache.delete_many(keys))
    # Listing pages show comment counts, and processes drop their copies of whole pages at
    # a new content version (a deleted comment sends no other signal that moves it).
    transaction.on_commit(bump_content_version)
