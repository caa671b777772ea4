"""A trivial WSGI app behind :class:`~masthead.core.open_web.OpenWebGuard`, for the test
that serves it with granian (no Django settings needed: the limit is given)."""

from masthead.core.open_web import OpenWebGuard


def _hello(environ, start_response):  # noqa: ANN001, ANN202
    body = ("query=" + environ.get("QUERY_STRING", "")).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


application = OpenWebGuard(_hello, max_header_bytes=32 * 1024)
