"""WSGI entry point (``granian --interface wsgi masthead.wsgi:application``).

Django behind the edge cache (:mod:`masthead.core.edge`), which answers anonymous
readers from pages Django already rendered.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.base")
django_application = get_wsgi_application()

from masthead.core.edge import wrap  # noqa: E402 - needs the configured Django above

application = wrap(django_application)
