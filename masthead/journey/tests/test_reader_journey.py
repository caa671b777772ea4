"""One reader's journey through Masthead, end to end in Chromium (issue 8).

The site runs as ``make run`` runs it (granian + db_worker, see ``conftest.py``) and
mail arrives over SMTP. The tests below are the journey's steps, in order, sharing one
reader's browser (a 390 px phone); every page met is also checked at 1280 px for
horizontal overflow, photographed into ``test-artifacts/journey/`` and, for the pages
the issue lists, checked with axe-core (``test-artifacts/axe-report.json``).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from masthead.journey.tests.conftest import METER_ANONYMOUS, METER_MEMBER, Site

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # the smallest phone the design supports
ENGLISH = "This is a thoughtful report and I learned a great deal from it."
HINGLISH = "Yeh bahut accha article hai, mujhe pasand aaya"
REWRITTEN = "This is a very good article and I liked it a lot."
REPLY = "I agree with Priya that the market will bring people back after dark."
READER_EMAIL = "nadia.k@journey.example"
READER_PASSWORD = "a-Long-reader-passphrase-42"
MIN_SECONDS_BETWEEN_COMMENTS = 3.5  # ModerationSettings.min_seconds_between_comments (3 s)
PAGE_WEIGHT_LIMIT = 150 * 1024  # bytes transferred: HTML, CSS, JS, fonts (issue 8)


class Journey:
    """State shared by the steps: the reader's page, the site, artifacts and reports."""

    def __init__(self, site: Site, browser: Any, artifacts: Path, axe_script: Path) -> None:
        self.site = site
        self.browser = browser
        self.shots = artifacts / "journey"
        self.shots.mkdir(parents=True, exist_ok=True)
        for old in self.shots.glob("*.png"):
            old.unlink()
        self.axe_report_path = artifacts / "axe-report.json"
        self.axe_script = axe_script
        self.axe_report: dict[str, Any] = {}
        self.step = 0
        self.context = browser.new_context(viewport=PHONE, accept_downloads=True)
        self.page = self.context.new_page()
        self.stories = site.data["stories"]
        self.reader_name = ""  # the reader's public name on comments (step 4)

    def url(self, path: str) -> str:
        return self.site.url + path

    def check(self, name: str, page: Any = None, axe: bool = False) -> None:
        """No horizontal overflow at 320, 390 and 1280 px; screenshots of 390 and 1280; optional axe."""
        page = page or self.page
        page.wait_for_load_state("load")
        self.step += 1
        original = page.viewport_size
        for label, size in (("narrow", NARROW), ("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            widths = page.evaluate(
                "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            offenders = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
            )
            if label != "narrow":
                page.screenshot(
                    path=str(self.shots / f"{self.step:02d}-{name}-{label}.png"), full_page=True
                )
            assert widths[0] <= widths[1], (
                f"{name} overflows horizontally at {size['width']} px: "
                f"scrollWidth {widths[0]} > {widths[1]}; widest: {offenders}"
            )
        page.set_viewport_size(original)
        if axe:
            self.axe(name, page)

    def axe(self, name: str, page: Any) -> None:
        """Run axe-core (WCAG 2 A and AA rules); fail on serious or critical violations."""
        page.add_script_tag(path=str(self.axe_script))
        result = page.evaluate(
            """async () => {
              const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
              return {passes: r.passes.length, violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))}))};
            }"""
        )
        self.axe_report[name] = {"url": page.url, **result}
        self.axe_report_path.write_text(json.dumps(self.axe_report, indent=2))
        assert result["passes"] > 10, f"axe-core checked almost nothing on {name}: {result}"
        bad = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
        assert not bad, f"axe-core on {name} ({page.url}):\n" + json.dumps(bad, indent=2)

    def meter(self) -> str:
        return self.page.locator(".meter__count").inner_text()


def tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches ``selector`` (keyboard-only use)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


@pytest.fixture(scope="module")
def journey(journey_site: Site, browser: Any, artifacts_dir: Path, axe_script: Path) -> Any:
    j = Journey(journey_site, browser, artifacts_dir, axe_script)
    yield j
    j.context.close()


def test_1_anonymous_reader_reads_until_the_meter_runs_out(journey: Journey) -> None:
    page = journey.page
    page.goto(journey.url("/"))
    assert page.locator(".home-section").count() >= 5
    journey.check("home", axe=True)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="World").click()
    assert page.locator("h1").inner_text() == "World"
    journey.check("section", axe=True)

    stories = journey.stories
    for n in range(METER_ANONYMOUS):
        page.goto(journey.url(stories[n]["url"]))
        assert page.locator("h1").inner_text() == stories[n]["title"]
        assert journey.meter() == f"{n + 1} / {METER_ANONYMOUS}"
        assert "Paragraph 6" in page.locator(".story__body").inner_text()
    journey.check("story-anonymous", axe=True)

    cut = stories[METER_ANONYMOUS]
    page.goto(journey.url(cut["url"]))
    paywall = page.locator(".story__body .paywall")
    assert paywall.is_visible()
    assert "You have read all your free stories" in paywall.inner_text()
    # The prompt sits where the story is cut: after the lead, instead of the rest.
    body = page.locator(".story__body").inner_text()
    assert "Paragraph 1" in body and "Paragraph 6" not in body
    assert "Paragraph 6" not in page.content()
    journey.check("paywall", axe=True)
    register = paywall.get_by_role("link", name="Register")
    assert register.get_attribute("href").endswith("?next=" + cut["url"])


def test_2_sign_up_verify_and_return_to_the_story(journey: Journey) -> None:
    page, cut = journey.page, journey.stories[METER_ANONYMOUS]
    page.locator(".story__body .paywall").get_by_role("link", name="Register").click()
    assert "/accounts/signup/" in page.url
    journey.check("sign-up", axe=True)
    page.get_by_label("Email").fill(READER_EMAIL)
    page.get_by_label("Password").fill(READER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    journey.check("verification-sent", axe=True)

    message = journey.site.inbox.wait_for(READER_EMAIL, "confirm")
    links = [u for u in journey.site.inbox.links(message) if "/accounts/confirm-email/" in u]
    assert links, journey.site.inbox.text(message)
    assert links[0].startswith(journey.site.url)
    page.goto(links[0])
    assert page.get_by_role("button", name="Confirm").is_visible()
    journey.check("confirm-email", axe=True)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(journey.url(cut["url"]))
    assert page.locator("h1").inner_text() == cut["title"]
    # Member allowance, with the anonymous reads carried over, and the story in full.
    assert journey.meter() == f"{METER_ANONYMOUS + 1} / {METER_MEMBER}"
    assert "Paragraph 6" in page.locator(".story__body").inner_text()
    journey.check("back-on-story-member")


def test_3_member_reads_to_the_limit_and_saves_two_stories(journey: Journey) -> None:
    page, stories = journey.page, journey.stories
    read = METER_ANONYMOUS + 1
    while read < METER_MEMBER:
        page.goto(journey.url(stories[read]["url"]))
        read += 1
        assert journey.meter() == f"{read} / {METER_MEMBER}"
    last_read = stories[read - 1]
    page.goto(journey.url(stories[read]["url"]))
    paywall = page.locator(".story__body .paywall")
    assert "Subscribe for unlimited reading" in paywall.inner_text()
    journey.check("member-paywall")

    # Save one story with the keyboard alone, one with the mouse.
    page.goto(journey.url(last_read["url"]))
    tab_to(page, ".story .save-story__button")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.story .save-story__button')"
        ".getAttribute('aria-pressed') === 'true'"
    )
    page.goto(journey.url(stories[0]["url"]))
    page.locator(".story .save-story__button").click()
    page.wait_for_function(
        "() => document.querySelector('.story .save-story__button')"
        ".getAttribute('aria-pressed') === 'true'"
    )
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Saved stories").click()
    titles = page.locator(".saved-list__item h2").all_inner_texts()
    assert sorted(titles) == sorted([last_read["title"], stories[0]["title"]])
    journey.check("saved-stories", axe=True)


def _post(page: Any, text: str, keyboard: bool = False) -> None:
    form = page.locator("#comment-form")
    if keyboard:
        tab_to(page, "#comment-body")
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        page.keyboard.press("Tab")  # → the "Post comment" button
        assert page.evaluate("() => document.activeElement.textContent.trim()") == "Post comment"
        page.keyboard.press("Enter")
    else:
        form.locator("textarea").fill(text)
        form.get_by_role("button", name="Post comment").click()


def test_4_comments_english_hinglish_rewrite_and_reply(journey: Journey) -> None:
    page, story = journey.page, journey.stories[0]
    page.goto(journey.url(story["url"]) + "#comments")
    comments = page.locator("#comments")
    journey.check("story-member-comments", axe=True)

    _post(page, ENGLISH, keyboard=True)
    expect_text(comments.locator(".comment__body", has_text=ENGLISH))
    mine = comments.locator(".comment", has=page.locator(".comment__body", has_text=ENGLISH))
    # The public name comes from the display name, never from the email address.
    journey.reader_name = mine.locator(".comment__author").first.inner_text()
    assert journey.reader_name and "nadia" not in journey.reader_name.lower()
    time.sleep(MIN_SECONDS_BETWEEN_COMMENTS)

    _post(page, HINGLISH)
    message = page.locator("#comment-form [data-comment-message]")
    expect_text(message, "English")
    assert page.locator("#comment-body").input_value() == HINGLISH
    assert comments.locator(".comment__body", has_text=HINGLISH).count() == 0
    journey.check("comment-refused")
    time.sleep(MIN_SECONDS_BETWEEN_COMMENTS)

    _post(page, REWRITTEN)
    expect_text(comments.locator(".comment__body", has_text=REWRITTEN))
    time.sleep(MIN_SECONDS_BETWEEN_COMMENTS)

    priya = comments.locator(".comment", has_text="Priya Raman").first
    priya.locator("summary", has_text="Reply").click()
    priya.get_by_label("Your reply to Priya Raman").fill(REPLY)
    priya.get_by_role("button", name="Post reply").click()
    expect_text(priya.locator(".comment__replies .comment__body", has_text=REPLY))

    # Everything survives a reload (stored, not only drawn by the script).
    page.reload()
    for text in (ENGLISH, REWRITTEN, REPLY):
        assert comments.locator(".comment__body", has_text=text).count() == 1
    assert comments.locator(".comment__body", has_text=HINGLISH).count() == 0
    journey.check("comments-published")


def expect_text(locator: Any, text: str | None = None, timeout: float = 30_000) -> None:
    """Wait until ``locator`` is visible (and contains ``text``)."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible(timeout=timeout)
    if text:
        expect(locator).to_contain_text(text, timeout=timeout)


SEND_ISSUE = """
from masthead.newsletters.models import IssueStory, Newsletter, NewsletterIssue
from masthead.newsletters.sending import schedule_issue
issue = NewsletterIssue.objects.create(
    newsletter=Newsletter.objects.get(pk={newsletter_id}),
    subject="Morning Briefing: the night market opens",
    intro="Good morning. Here is what matters today.",
)
IssueStory.objects.create(issue=issue, story_id={story_id}, sort_order=0)
schedule_issue(issue)
"""


def _newsletter_row(page: Any, name: str) -> Any:
    return page.locator(".newsletter-prefs__item", has_text=name)


def test_5_newsletter_one_click_subscribe_and_unsubscribe(journey: Journey) -> None:
    page, site = journey.page, journey.site
    name = site.data["newsletter"]["name"]
    page.goto(journey.url("/newsletters/"))
    journey.check("newsletters", axe=True)
    page.get_by_role("button", name=f"Subscribe to {name}").click()
    expect_text(page.locator(".messages"), f"You are subscribed to {name}")
    assert (
        _newsletter_row(page, name).get_by_role("button", name=f"Unsubscribe from {name}").count()
        == 1
    )
    journey.check("newsletters-subscribed", axe=True)

    # The editor sends the next issue; the db_worker started by `serve` delivers it.
    site.manage(
        "shell",
        "-c",
        SEND_ISSUE.format(
            newsletter_id=site.data["newsletter"]["id"], story_id=journey.stories[0]["id"]
        ),
    )
    message = site.inbox.wait_for(
        READER_EMAIL, "Morning Briefing: the night market opens", timeout=60
    )
    text = site.inbox.text(message)
    assert journey.stories[0]["title"] in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_links = re.findall(r"<(https?://[^>]+)>", message["List-Unsubscribe"])
    assert header_links and header_links[0].startswith(site.url), message["List-Unsubscribe"]
    unsubscribe = header_links[0]

    # A GET (a mail scanner, or the reader clicking) only shows a confirm page.
    page.goto(unsubscribe)
    journey.check("unsubscribe-confirm-page", axe=True)
    page.goto(journey.url("/newsletters/"))
    assert (
        _newsletter_row(page, name).get_by_role("button", name=f"Unsubscribe from {name}").count()
        == 1
    )

    # The mail client's one-click POST (RFC 8058): no cookies, no CSRF token.
    mail_client = journey.browser.new_context()
    try:
        response = mail_client.request.post(
            unsubscribe, form={"List-Unsubscribe": "One-Click"}, max_redirects=0
        )
        assert response.status == 200, response.text()
    finally:
        mail_client.close()
    page.reload()
    assert (
        _newsletter_row(page, name).get_by_role("button", name=f"Subscribe to {name}").count() == 1
    )
    journey.check("newsletters-unsubscribed")


def test_6_export_and_delete_account_comments_stay_deidentified(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("navigation", name="Account").get_by_role("link", name=READER_EMAIL).click()
    assert page.locator("h1").inner_text() == "Your account"
    journey.check("account", axe=True)
    page.get_by_role("button", name="Turn offers on").click()
    expect_text(page.locator(".messages"), "Offers and early access are on.")
    assert page.get_by_role("button", name="Turn offers off").count() == 1

    # Exporting asks for the password again (issue 18), then the download starts.
    page.get_by_role("button", name="Export my data (JSON)").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    journey.check("reauthenticate", axe=True)
    page.get_by_label("Password").fill(READER_PASSWORD)
    with page.expect_download() as download_info:
        page.locator("main form button[type=submit]").click()
    page.goto(journey.url("/account/"))
    exported = json.loads(Path(download_info.value.path()).read_text())
    assert READER_EMAIL in json.dumps(exported)
    assert [o["granted"] for o in exported["offers_consent"]] == [True]
    assert ENGLISH in json.dumps(exported)

    page.get_by_role("link", name="Delete my account").click()
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(READER_PASSWORD)
        page.locator("main form button[type=submit]").click()
    assert page.locator("h1").inner_text() == "Delete your account"
    journey.check("delete-account", axe=True)
    page.get_by_label('Type "delete" to confirm').fill("delete")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(journey.url("/"))
    assert (
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").count()
        == 1
    )

    page.goto(journey.url(journey.stories[0]["url"]) + "#comments")
    english = page.locator(".comment", has=page.locator(".comment__body", has_text=ENGLISH))
    assert english.count() == 1
    assert english.locator(".comment__author").first.inner_text() == "A reader"
    assert journey.reader_name not in page.locator("#comments").inner_text()
    assert READER_EMAIL not in page.content()
    journey.check("comments-after-deletion")


def _sign_in(page: Any, site: Site, email: str) -> None:
    page.goto(site.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(site.data["password"])
    page.locator("main form button[type=submit]").click()
    assert (
        page.get_by_role("navigation", name="Account")
        .get_by_role("link", name="Saved stories")
        .count()
        == 1
    )


def test_7_moderator_approves_rejects_and_bans(journey: Journey) -> None:
    site, story = journey.site, journey.stories[1]
    troll_ctx = journey.browser.new_context(viewport=PHONE)
    mod_ctx = journey.browser.new_context(viewport=DESKTOP)
    try:
        troll = troll_ctx.new_page()
        _sign_in(troll, site, "troll@journey.example")
        journey.check("sign-in-done", page=troll)
        held = [
            "Priya, stop spreading nonsense about desalination.",
            "Read https://a.example/1 and https://b.example/2 and https://c.example/3 first.",
        ]
        troll.goto(site.url + story["url"])
        troll.reload()  # a fresh page, not a same-document jump to #comments
        for text in held:
            _post(troll, text)
            expect_text(
                troll.locator("#comment-form [data-comment-message], .messages"), "moderator"
            )
            time.sleep(MIN_SECONDS_BETWEEN_COMMENTS)

        mod = mod_ctx.new_page()
        mod.goto(site.url + "/admin/moderation/")
        mod.get_by_label("Email").or_(mod.get_by_label("Username")).first.fill("moderator")
        mod.get_by_label("Password").fill(site.data["password"])
        mod.locator("form button[type=submit]").first.click()
        mod.wait_for_url(re.compile(r"/admin/moderation/queue/pending/"))
        rows = mod.locator("table.moderation-table tbody tr")
        first = rows.filter(has_text="stop spreading nonsense")
        second = rows.filter(has_text="https://c.example/3")
        assert "TOXIC" in first.inner_text()
        assert "LINKS" in second.inner_text()
        journey.check("moderation-queue", page=mod)

        from playwright.sync_api import expect

        first.get_by_role("checkbox").check()
        with mod.expect_navigation():
            mod.get_by_role("button", name="Approve selected").click()
        expect(rows.filter(has_text="stop spreading nonsense")).to_have_count(0)
        second.get_by_role("checkbox").check()
        with mod.expect_navigation():
            mod.get_by_role("button", name="Reject selected").click()
        expect(rows.filter(has_text="https://c.example/3")).to_have_count(0)

        mod.goto(site.url + "/admin/moderation/log/")
        decisions = mod.locator("table tbody tr", has_text="Mo Derator")
        assert decisions.count() >= 2, mod.locator("main").inner_text()[:2000]
        journey.check("moderation-log", page=mod)

        troll.goto(site.url + story["url"])
        troll.reload()  # a fresh page, not a same-document jump to #comments
        assert troll.locator(".comment__body", has_text="stop spreading nonsense").count() == 1
        assert troll.locator(".comment__body", has_text="https://c.example/3").count() == 0

        # Ban the writer from the member page linked in the queue.
        mod.goto(site.url + "/admin/moderation/log/")
        with mod.expect_navigation():
            mod.locator("table tbody tr", has_text="Sam Troll").first.get_by_role(
                "link", name="status"
            ).click()
        assert "Sam Troll" in mod.locator("main").inner_text()
        mod.get_by_label("Ban", exact=True).check()
        mod.get_by_label("Reason (shown in the log)").fill("Repeated abuse")
        with mod.expect_navigation():
            mod.get_by_role("button", name="Apply").click()
        assert "Banned" in mod.locator("main").inner_text()
        journey.check("member-banned", page=mod)

        troll.goto(site.url + story["url"])
        troll.reload()  # a fresh page, not a same-document jump to #comments
        time.sleep(MIN_SECONDS_BETWEEN_COMMENTS)
        _post(troll, "The market is a good idea and I will visit it this weekend.")
        expect_text(troll.locator("#comment-form [data-comment-message], .messages"))
        troll.reload()
        assert troll.locator(".comment__body", has_text="I will visit it this weekend").count() == 0
        journey.check("banned-cannot-post", page=troll)
    finally:
        troll_ctx.close()
        mod_ctx.close()


def test_story_page_weight_and_reading_without_javascript(journey: Journey) -> None:
    """An anonymous story page: ≤ 150 KB transferred (images aside), readable without JS."""
    site, story = journey.site, journey.stories[5]
    ctx = journey.browser.new_context(viewport=PHONE)
    sizes: dict[str, int] = {}
    try:
        page = ctx.new_page()
        requests: list[Any] = []
        page.on("requestfinished", lambda request: requests.append(request))
        page.goto(site.url + story["url"], wait_until="networkidle")
        for request in requests:
            if request.resource_type in {"document", "stylesheet", "script", "font"}:
                s = request.sizes()
                sizes[request.url] = s["responseBodySize"] + s["responseHeadersSize"]
    finally:
        ctx.close()
    total = sum(sizes.values())
    print(f"\nStory page weight for an anonymous reader: {total / 1024:.1f} KB transferred")
    for url, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {size / 1024:7.1f} KB  {url.removeprefix(site.url)}")
    (journey.shots.parent / "page-weight.json").write_text(
        json.dumps({"story": story["url"], "total_bytes": total, "resources": sizes}, indent=2)
    )
    assert total <= PAGE_WEIGHT_LIMIT, f"{total} bytes > {PAGE_WEIGHT_LIMIT}"

    no_js = journey.browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = no_js.new_page()
        page.goto(site.url + story["url"])
        body = page.locator(".story__body").inner_text()
        assert "Paragraph 1" in body and "Paragraph 6" in body
        journey.check("story-without-javascript", page=page)
    finally:
        no_js.close()
