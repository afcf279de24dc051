"""Queue notifications as outbox rows in the caller's transaction (nothing leaves the process)."""

from django.db import IntegrityError, transaction

from shaobao.notify.models import Notification


def enqueue(
    *,
    event: str,
    dedupe_key: str,
    title: str,
    body: str = "",
    link: str = "",
    department=None,
    jurisdiction=None,
    user=None,
    audience=(),
    urgent=False,
    now,
) -> Notification | None:
    """One row per cause: a second enqueue with the same key is a no-op (returns None)."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                event=event,
                dedupe_key=dedupe_key[:200],
                title=title[:200],
                body=body,
                link=link,
                department=department,
                jurisdiction=jurisdiction,
                user=user,
                audience=list(audience),
                urgent=urgent,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        return None
