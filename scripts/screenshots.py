"""Take the README's screenshots of a running site: story and home at 390 and 1280 px,
plus a story's comment thread. Uses Debian's Chromium through Playwright.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 /world/<story-slug>/ [EMAIL PASSWORD]

With a member's EMAIL and PASSWORD the comment thread is taken signed in as that
member (their comments awaiting review show as only they see them). PNGs go to docs/screenshots/ (palette-reduced with Pillow to stay small).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
MAX_HEIGHT = {390: 2200, 1280: 1500}


def save_small(png: bytes, path: Path) -> None:
    """Write ``png`` reduced to a 256-colour palette (text stays sharp, files stay small)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main(base: str, story: str, login: tuple[str, str] | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width in (390, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in (("home", "/"), ("story", story)):
                page.goto(base + path, wait_until="networkidle")
                height = min(page.evaluate("document.body.scrollHeight"), MAX_HEIGHT[width])
                png = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": height})
                save_small(png, OUT / f"{name}-{width}.png")
            if width == 390:
                if login:
                    page.goto(base + "/accounts/login/")
                    page.fill("input[name=login]", login[0])
                    page.fill("input[name=password]", login[1])
                    with page.expect_navigation():
                        page.locator("main form button[type=submit]").first.click()
                page.goto(base + story + "#comments", wait_until="networkidle")
                comments = page.locator("#comments")
                save_small(comments.screenshot(), OUT / "comments-390.png")
            page.close()
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(OUT.parent.parent)}: {path.stat().st_size // 1024} KB")  # noqa: T201


if __name__ == "__main__":
    credentials = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else None
    main(sys.argv[1].rstrip("/"), sys.argv[2], credentials)
