"""Site search. Results show headline, standfirst, section and date — never body text."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from masthead.articles.models import StoryPage

MAX_QUERY_LENGTH = 200
_NOT_SEARCH_SYNTAX = str.maketrans(dict.fromkeys('"*^():{}[]+-~\\', " "))


def search(request: HttpRequest) -> HttpResponse:
    """Search live stories for ``?q=``; 20 results a page."""
    # Control characters (NUL among them, which PostgreSQL refuses) are never part of a query.
    query = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable()).strip()
    # Quotes and search-syntax characters are not operators here; an unbalanced quote
    # would otherwise reach the SQLite full-text parser as a syntax error.
    query = " ".join(query.translate(_NOT_SEARCH_SYNTAX).split())
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
