"""Helper run in a subprocess by the kill-and-restart test and the benchmark.

``python -m masthead.newsletters.tests.kill_helper seed N`` creates a newsletter, N
confirmed subscribers and a due issue, printing the issue id;
``… report ISSUE`` prints the issue status and delivery counts as JSON.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    """Entry point (Django settings come from the environment)."""
    import django

    django.setup()
    from django.utils import timezone

    from masthead.newsletters.models import Newsletter, NewsletterIssue, Subscriber, Subscription
    from masthead.newsletters.services import delivery_counts

    command = sys.argv[1]
    if command == "seed":
        n = int(sys.argv[2])
        now = timezone.now()
        newsletter = Newsletter.objects.create(name="Kill Test", slug="kill-test")
        Subscriber.objects.bulk_create(
            [Subscriber(email=f"reader{i:05d}@example.org", confirmed_at=now) for i in range(n)],
            batch_size=1000,
        )
        Subscription.objects.bulk_create(
            [
                Subscription(
                    subscriber=s, newsletter=newsletter, status="confirmed", confirmed_at=now
                )
                for s in Subscriber.objects.all()
            ],
            batch_size=1000,
        )
        issue = NewsletterIssue.objects.create(
            newsletter=newsletter,
            subject="Exactly once",
            intro="Hello.",
            status="scheduled",
            scheduled_at=now,
        )
        print(issue.pk)
    elif command == "report":
        issue = NewsletterIssue.objects.get(pk=int(sys.argv[2]))
        print(json.dumps({"status": issue.status, "counts": delivery_counts(issue)}))


if __name__ == "__main__":
    main()
