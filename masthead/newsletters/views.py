"""Newsletter pages: list + one-click member toggles, double opt-in, one-click unsubscribe.

Views are thin: they validate input, call :mod:`masthead.newsletters.services`,
and render. Every failure answers a 4xx page saying what went wrong.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.newsletters import services
from masthead.newsletters.emails import manage_url
from masthead.newsletters.forms import SignupForm
from masthead.newsletters.models import Newsletter, Subscriber
from masthead.newsletters.templatetags.newsletter_tags import preferences_context
from masthead.newsletters.tokens import (
    BadToken,
    read_confirm_token,
    read_manage_token,
    read_unsubscribe_token,
)

MEMBER_SOURCES = {services.SOURCE_NEWSLETTERS_PAGE, services.SOURCE_ACCOUNT_PAGE}


def client_ip(request: HttpRequest) -> str:
    """The client address as Django sees it (set ``REMOTE_ADDR`` correctly behind a proxy)."""
    return request.META.get("REMOTE_ADDR", "")


def _message(
    request: HttpRequest, title: str, text: str, status: int = 200, **extra: object
) -> HttpResponse:
    return render(
        request, "newsletters/message.html", {"title": title, "text": text, **extra}, status=status
    )


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or reverse("newsletters:list")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("newsletters:list")
    return HttpResponseRedirect(target)


def newsletter_list(request: HttpRequest) -> HttpResponse:
    """Public list of newsletters; members see one-click buttons, others a sign-up form."""
    context = preferences_context(request, source=services.SOURCE_NEWSLETTERS_PAGE)
    context["form"] = SignupForm()
    return render(request, "newsletters/list.html", context)


def _member_subscriber(request: HttpRequest) -> Subscriber | HttpResponse:
    try:
        return services.subscriber_for_user(request.user)
    except services.NotVerified as exc:
        return _message(
            request,
            "Verify your email address first",
            str(exc),
            status=403,
            link=reverse("account_email"),
            link_text="Manage your email addresses",
        )


def _source(request: HttpRequest) -> str:
    source = request.POST.get("source", "")
    return source if source in MEMBER_SOURCES else services.SOURCE_NEWSLETTERS_PAGE


@login_required
@require_POST
def member_subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    """One click: subscribe the signed-in member's verified address to ``slug``."""
    newsletter = get_object_or_404(Newsletter, slug=slug, active=True)
    if newsletter.is_offers:
        return _message(
            request, "Offers are a separate choice", "Use the offers switch instead.", status=400
        )
    subscriber = _member_subscriber(request)
    if isinstance(subscriber, HttpResponse):
        return subscriber
    services.subscribe_confirmed(subscriber, newsletter, _source(request), ip=client_ip(request))
    messages.success(request, f"You are subscribed to {newsletter.name}.")
    return _back(request)


@login_required
@require_POST
def member_unsubscribe(request: HttpRequest, slug: str) -> HttpResponse:
    """One click: unsubscribe the signed-in member from ``slug`` (idempotent)."""
    newsletter = get_object_or_404(Newsletter, slug=slug)
    subscriber = _member_subscriber(request)
    if isinstance(subscriber, HttpResponse):
        return subscriber
    services.unsubscribe(subscriber, newsletter, _source(request), ip=client_ip(request))
    messages.success(request, f"You are unsubscribed from {newsletter.name}.")
    return _back(request)


@login_required
@require_POST
def member_offers(request: HttpRequest) -> HttpResponse:
    """One click: turn the offers consent on (``granted=on``) or off (``granted=off``)."""
    value = request.POST.get("granted")
    if value not in {"on", "off"}:
        return _message(
            request, "Nothing changed", "The request did not say on or off.", status=400
        )
    subscriber = _member_subscriber(request)
    if isinstance(subscriber, HttpResponse):
        return subscriber
    services.set_offers(subscriber, value == "on", _source(request), ip=client_ip(request))
    messages.success(request, "Offers and early access are " + ("on." if value == "on" else "off."))
    return _back(request)


def _ip_limited(request: HttpRequest) -> bool:
    """Count a sign-up for the client IP; True once over ``…_SIGNUPS_PER_IP_HOUR``."""
    key = "newsletters:signup-ip:" + services.hash_ip(client_ip(request) or "unknown")
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > settings.MASTHEAD_NEWSLETTER_SIGNUPS_PER_IP_HOUR


@require_POST
def signup(request: HttpRequest) -> HttpResponse:
    """Anonymous sign-up by typed address: sends one confirmation mail (double opt-in).

    Answers the same page whether or not the address is known or was throttled, so
    the form cannot be used to learn who subscribes.
    """
    form = SignupForm(request.POST)
    if not form.is_valid():
        context = preferences_context(request, source=services.SOURCE_NEWSLETTERS_PAGE)
        context["form"] = form
        return render(request, "newsletters/list.html", context, status=400)
    if _ip_limited(request):
        return _message(
            request,
            "Too many sign-ups",
            "Too many sign-ups from your network. Try again in an hour.",
            status=429,
        )
    services.request_signup(
        form.cleaned_data["email"],
        form.cleaned_data["newsletters"],
        offers=form.cleaned_data["offers"],
        source=services.SOURCE_NEWSLETTERS_PAGE,
        ip=client_ip(request),
    )
    return _message(
        request,
        "Check your inbox",
        "If the address can receive mail, we have sent a link to confirm your sign-up. "
        "Nothing else will be sent until you click it.",
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in link: GET shows a confirm button (scanners prefetch), POST confirms."""
    try:
        subscriber_id, newsletter_ids, offers = read_confirm_token(token)
    except BadToken as exc:
        return _message(
            request, "Link not valid", f"{exc} Nothing was changed; sign up again.", status=400
        )
    if request.method == "GET":
        lists = Newsletter.objects.filter(pk__in=newsletter_ids, active=True)
        return render(request, "newsletters/confirm.html", {"newsletters": lists, "offers": offers})
    try:
        result = services.confirm_signup(
            subscriber_id, newsletter_ids, offers, ip=client_ip(request)
        )
    except Subscriber.DoesNotExist:
        return _message(
            request,
            "Link not valid",
            "This sign-up no longer exists. Nothing was changed.",
            status=400,
        )
    names = ", ".join(n.name for n in result.newsletters) or "no newsletters"
    return _message(
        request,
        "You are subscribed",
        f"Confirmed: {names}." + (" Offers and early access: on." if result.offers else ""),
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def one_click_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The List-Unsubscribe URL.

    * POST with ``List-Unsubscribe=One-Click`` (form-encoded or multipart, no cookies,
      no CSRF token — RFC 8058 §3.2) unsubscribes without login, idempotently, and
      answers 200 with a short body, never a redirect.
    * GET only shows a page with a confirm button, because mail scanners fetch links.
    * A forged or expired token changes nothing and says so (400).
    """
    try:
        subscriber_id, newsletter_id = read_unsubscribe_token(token)
    except BadToken as exc:
        return _message(request, "Link not valid", f"{exc} Nothing was changed.", status=400)
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if request.method == "GET":
        return render(
            request,
            "newsletters/unsubscribe.html",
            {"newsletter": newsletter, "subscriber": subscriber, "token": token},
        )
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return _message(
            request,
            "Nothing changed",
            "The request must carry List-Unsubscribe=One-Click.",
            status=400,
        )
    if subscriber is not None and newsletter is not None:
        source = (
            services.SOURCE_UNSUBSCRIBE_PAGE
            if request.POST.get("via") == "page"
            else services.SOURCE_ONE_CLICK
        )
        services.unsubscribe(subscriber, newsletter, source, ip=client_ip(request))
    name = newsletter.name if newsletter else "this newsletter"
    return _message(
        request,
        "You are unsubscribed",
        f"You will get no more mail from {name}.",
        link=manage_url(subscriber.pk) if subscriber else "",
        link_text="Manage all your newsletters",
    )


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Preferences page reached from any newsletter (signed link, no login; POSTs use CSRF)."""
    try:
        subscriber_id = read_manage_token(token)
    except BadToken as exc:
        return _message(request, "Link not valid", f"{exc} Nothing was changed.", status=400)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return _message(
            request, "Link not valid", "We have no subscription for this link.", status=400
        )
    if request.method == "POST":
        action = request.POST.get("action")
        ip = client_ip(request)
        source = services.SOURCE_MANAGE_PAGE
        if action in {"offers_on", "offers_off"}:
            if subscriber.confirmed_at is None:
                return _message(
                    request, "Nothing changed", "This address is not confirmed.", status=400
                )
            services.set_offers(subscriber, action == "offers_on", source, ip=ip)
        elif action in {"subscribe", "unsubscribe"}:
            newsletter = Newsletter.objects.filter(
                slug=request.POST.get("newsletter", ""), kind="editorial"
            ).first()
            if newsletter is None or (action == "subscribe" and not newsletter.active):
                return _message(request, "Nothing changed", "Unknown newsletter.", status=400)
            if action == "subscribe":
                if subscriber.confirmed_at is None:
                    return _message(
                        request, "Nothing changed", "This address is not confirmed.", status=400
                    )
                services.subscribe_confirmed(subscriber, newsletter, source, ip=ip)
            else:
                services.unsubscribe(subscriber, newsletter, source, ip=ip)
        else:
            return _message(request, "Nothing changed", "Unknown action.", status=400)
        messages.success(request, "Your preferences are saved.")
        return HttpResponseRedirect(request.path)
    statuses = dict(subscriber.subscriptions.values_list("newsletter_id", "status"))
    rows = [
        {"newsletter": n, "subscribed": statuses.get(n.pk) == "confirmed"}
        for n in Newsletter.objects.filter(active=True, kind=Newsletter.Kind.EDITORIAL)
    ]
    return render(
        request,
        "newsletters/manage.html",
        {"subscriber": subscriber, "rows": rows, "offers": services.offers_granted(subscriber)},
    )
