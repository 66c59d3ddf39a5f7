"""Background work of the outbox on django-tasks (the database backend in an installation,
run by ``manage.py db_worker``). Each task reads the time from the one clock when it runs."""

from __future__ import annotations

from django_tasks import task

from bedring.core import clock


@task()
def send_message(message_id: int) -> str:
    """Send one message when it is due (enqueued with ``run_after`` = its next attempt)."""
    from . import services

    message = services.message_send(message_id=message_id, at=clock.now())
    return message.status if message is not None else "gone"


@task()
def send_due_messages() -> int:
    """Send every due message (what ``manage.py send_due_messages --enqueue`` asks for)."""
    from . import services

    return services.send_due_messages(at=clock.now())
