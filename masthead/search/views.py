"""Site search. Results show headline, standfirst, section and date — never body text."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from masthead.articles.models import StoryPage

MAX_QUERY_LENGTH = 200


def search(request: HttpRequest) -> HttpResponse:
    """Search live stories for ``?q=``; 20 results a page."""
    # Control characters (NUL among them, which PostgreSQL refuses) are never part of a query.
    query = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable()).strip()
    error = ""
    results = None
    if len(query) > MAX_QUERY_LENGTH:
        error = f"Please use at most {MAX_QUERY_LENGTH} characters."
        query = query[:MAX_QUERY_LENGTH]
    if query:
        found = StoryPage.objects.live().public().search(query, operator="and")
        results = Paginator(found, 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "search/search.html", {"search_query": query, "results": results, "error": error}
    )
