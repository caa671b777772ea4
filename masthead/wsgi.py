"""WSGI entry point (``granian --interface wsgi masthead.wsgi:application``).

Django behind the edge cache (:mod:`masthead.core.edge`), which answers anonymous
readers from pages Django already rendered.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.base")
django_application = get_wsgi_application()

from masthead.core.edge import wrap  # noqa: E402 - needs the configured Django above
from masthead.core.open_web import OpenWebGuard  # noqa: E402

# Outermost: 431 for oversized headers, tracking parameters out of the query string.
application = OpenWebGuard(wrap(django_application))


def _freeze_startup_objects() -> None:
    """Load the URL conf and the main templates, then move everything alive now out of
    the garbage collector's reach (``gc.freeze``, Python 3.7+). A full collection over
    Django's and Wagtail's start-up objects (about 160,000) takes tens of milliseconds
    with the GIL held, a pause for every thread of the process: measured as p99 spikes
    of 100-200 ms on the member pages. ``MASTHEAD_GC_FREEZE=0`` turns it off."""
    import gc

    from django.template.loader import get_template
    from django.urls import get_resolver

    from masthead.core.fragments import release

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for name in ("base.html", "articles/story_page.html", "comments/thread.html"):
        get_template(name)
    release()  # the release digest of the cached story parts, read once per process
    gc.collect()
    gc.freeze()


if os.environ.get("MASTHEAD_GC_FREEZE", "1") != "0":
    _freeze_startup_objects()
