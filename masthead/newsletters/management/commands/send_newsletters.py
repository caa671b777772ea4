"""``manage.py send_newsletters``: send due and unfinished newsletter issues in this process.

A dedicated sender, safe to kill and restart at any time (see ``sending.py`` for
the exactly-once ledger): on start it resumes every issue that is *sending* or
*scheduled and due*, waits out leases and retry times, and exits when all are done
(or keeps polling with ``--forever``). ``--enqueue`` instead hands the issues to
the ``db_worker`` as ``send_issue`` tasks.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from masthead.newsletters.models import NewsletterIssue
from masthead.newsletters.sending import enqueue_send_task, run_issue, unfinished_issue_ids


class Command(BaseCommand):
    help = "Send due/unfinished newsletter issues (resumes after a crash; exactly-once ledger)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--issue", type=int, action="append", help="Only this issue id (repeatable)."
        )
        parser.add_argument(
            "--rate", type=float, default=None, help="Messages per second (0 = unlimited)."
        )
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument(
            "--lease", type=float, default=None, help="Seconds before a dead claim is retaken."
        )
        parser.add_argument("--forever", action="store_true", help="Keep polling for due issues.")
        parser.add_argument(
            "--poll", type=float, default=30.0, help="Seconds between polls with --forever."
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="Enqueue send_issue tasks for db_worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = {"now": False}

        def graceful(signum: int, frame: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, graceful)
        signal.signal(signal.SIGINT, graceful)
        wanted = options["issue"]
        if wanted:
            missing = set(wanted) - set(
                NewsletterIssue.objects.filter(pk__in=wanted).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No such issue: {sorted(missing)}")
        while True:
            ids = unfinished_issue_ids()
            if wanted:
                ids = [i for i in ids if i in wanted]
            if options["enqueue"]:
                for issue_id in ids:
                    enqueue_send_task(issue_id)
                self.stdout.write(f"Enqueued {len(ids)} issue(s).")
                return
            for issue_id in ids:
                result = run_issue(
                    issue_id,
                    batch_size=options["batch_size"],
                    rate=options["rate"],
                    lease_seconds=options["lease"],
                    wait=True,
                    should_stop=lambda: stop["now"],
                )
                self.stdout.write(
                    f"issue {issue_id}: sent {result.sent}, failed {result.failed}, "
                    f"retried {result.retried}, "
                    f"skipped {result.skipped}, finished={result.finished}"
                )
                if stop["now"]:
                    return
            if not options["forever"] or stop["now"]:
                return
            for _ in range(int(options["poll"] * 10)):
                if stop["now"]:
                    return
                time.sleep(0.1)
