"""Generate a Disqus XML export shaped like the real samples, streamed to a file.

Usage::

    python benchmarks/migration/generate_disqus.py OUT.xml [--posts 1000000] [--threads 100000] [--seed 1]

Shape: ``<category>``, then all ``<thread>`` elements, then ``<post>`` elements
(CDATA HTML messages, author blocks, ipAddress, thread ref). About 30% of posts are
replies; a reply's parent is another post of the same thread chosen *before or
after* it in the file, so roughly half the replies precede their parent.
2% of posts are deleted, 1% spam, 0.5% of threads deleted; messages mix ASCII,
Russian, Chinese, accents and emoji. Written in chunks: memory stays flat.
Expected counts are printed as JSON on stdout when done.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

HEADER = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd \
http://disqus.com/api/schemas/1.0/disqus-internals.xsd">
    <category dsq:id="1">
        <forum>masthead-bench</forum>
        <title>General</title>
        <isDefault>true</isDefault>
    </category>
"""
TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Отличная статья, спасибо! Жду продолжения.",
    "这篇文章写得很好，谢谢分享。",
    "Très intéressant — merci pour l'article. Ça marche très bien.",
    "Great point 👍 but see https://example.org/source for the data.",
    "I disagree & think <b>bold</b> claims need evidence.",
    "नमस्ते, यह लेख बहुत अच्छा है।",
]
THREAD_ID0 = 3_000_000_000
POST_ID0 = 1_000_000_000


def _thread(i: int, deleted: bool, when: datetime) -> str:
    return f"""    <thread dsq:id="{THREAD_ID0 + i}">
        <id>story-{i}</id>
        <forum>masthead-bench</forum>
        <category dsq:id="1"/>
        <link>https://www.example.com/news/{i // 1000}/story-{i}/</link>
        <title>Story {i}: {escape(TEXTS[i % len(TEXTS)][:30])}</title>
        <message/>
        <createdAt>{when:%Y-%m-%dT%H:%M:%SZ}</createdAt>
        <author>
            <email>editor@example.com</email>
            <name>Editor</name>
            <isAnonymous>false</isAnonymous>
            <username>editor</username>
        </author>
        <ipAddress>192.0.2.1</ipAddress>
        <isClosed>{"true" if i % 10 == 0 else "false"}</isClosed>
        <isDeleted>{"true" if deleted else "false"}</isDeleted>
    </thread>
"""


def generate(out_path: str, posts: int, threads: int, seed: int) -> dict[str, int]:
    """Write the file; return the counts a parser should report (default options)."""
    rng = random.Random(seed)
    start = datetime(2012, 1, 1, tzinfo=UTC)
    deleted_threads = {i for i in range(threads) if rng.random() < 0.005}
    counts = dict.fromkeys(
        (
            "threads",
            "posts",
            "deleted_threads",
            "posts_in_deleted_threads",
            "replies",
            "forward_replies",
            "deleted_posts",
            "spam_posts",
        ),
        0,
    )
    counts["threads"], counts["posts"], counts["deleted_threads"] = (
        threads,
        posts,
        len(deleted_threads),
    )
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER)
        buf: list[str] = []
        for i in range(threads):
            buf.append(_thread(i, i in deleted_threads, start + timedelta(minutes=i)))
            if len(buf) >= 1000:
                out.write("".join(buf))
                buf.clear()
        for p in range(posts):
            t = p % threads  # post p is in thread p % threads; same-thread posts are p +- k*threads
            parent = ""
            if rng.random() < 0.3:
                k = rng.choice((-2, -1, 1, 2))
                q = p + k * threads
                if 0 <= q < posts:
                    parent = f'\n        <parent dsq:id="{POST_ID0 + q}"/>'
                    counts["replies"] += t not in deleted_threads
                    counts["forward_replies"] += q > p and t not in deleted_threads
            deleted = rng.random() < 0.02
            spam = rng.random() < 0.01
            in_deleted = t in deleted_threads
            counts["posts_in_deleted_threads"] += in_deleted
            counts["deleted_posts"] += deleted and not in_deleted
            counts["spam_posts"] += spam and not in_deleted
            text = TEXTS[rng.randrange(len(TEXTS))]
            message = "" if deleted else f"<p>{escape(text)}</p><p>Comment {p} — ok</p>"
            reader = rng.randrange(50_000)
            email = (
                f"Reader{reader}@Example.org" if reader % 7 == 0 else f"reader{reader}@example.org"
            )
            when = start + timedelta(seconds=p * 37)
            buf.append(f"""    <post dsq:id="{POST_ID0 + p}">
        <id/>
        <message><![CDATA[{message}]]></message>
        <createdAt>{when:%Y-%m-%dT%H:%M:%SZ}</createdAt>
        <isDeleted>{"true" if deleted else "false"}</isDeleted>
        <isSpam>{"true" if spam else "false"}</isSpam>
        <author>
            <email>{email}</email>
            <name>Reader {reader} Ünïcødé</name>
            <isAnonymous>false</isAnonymous>
            <username>reader_{reader}</username>
        </author>
        <ipAddress>198.51.100.{reader % 250}</ipAddress>
        <thread dsq:id="{THREAD_ID0 + t}"/>{parent}
    </post>
""")
            if len(buf) >= 1000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
        out.write("</disqus>\n")
    return counts


def main() -> None:
    """CLI entry point (see module doc)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.threads < 1 or args.posts < 0:
        ap.error("--threads must be >= 1 and --posts >= 0")
    print(json.dumps(generate(args.out, args.posts, args.threads, args.seed)))


if __name__ == "__main__":
    main()
