"""premium's background work on Django's tasks framework (see inmail.tasks for the backend)."""

from django.tasks import task

from premium import settlement


@task()
def settle_credits() -> int:
    """The daily settlement of every member's credits: what `manage.py grant_credits` does.

    Scheduled by cron (README), which enqueues it with `grant_credits --enqueue` so that the
    worker runs it rather than the cron job itself. Returns the number of members settled.
    """
    return settlement.settle_due()
