"""The one write path of notifications: `do_notify`, called by an action inside its
transaction, with the change that causes it.

Rows are created in one INSERT for every recipient who may read the network at that
moment (`permissions.audience`); the actor is never notified of their own act. Given a
list of ids, the readers among them are found in one query and the rows bulk-created;
given a queryset of user ids (a network's 50,000 members), the whole fan-out is one
`INSERT … SELECT … RETURNING`, the readers filtered inside it, no id travelling through
Python before the insert.

After commit, only recipients with an open socket now (`core.presence`, looked up in
bulk) get a `notification` frame with the row as the REST list shows it and their new
unread count (group `user.<id>`, event `notifications.new`, which realtime's consumer
turns into the frame); the others read it on their next page or from the bell. The
frames of one fan-out are read in a constant number of queries and sent in one batch.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.db.models import QuerySet
from django.db.models.base import ModelState
from django.utils import timezone

from community.models import Network
from core import events, presence
from notifications import queries
from notifications.models import Notification
from permissions import audience

NEW = "notifications.new"
READ = "notifications.read"

# The columns one fan-out INSERT … SELECT writes besides the recipient (read_at stays NULL).
_CONSTANT_COLUMNS = ("kind", "network", "actor", "target_type", "target_id", "data", "created_at")


def do_notify(
    recipients: Iterable[int] | QuerySet[Any],
    kind: str,
    *,
    network: Network | None,
    actor: User | None,
    target: tuple[str, int] | None = None,
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Notify `recipients` (user ids, or a queryset of user ids such as
    `Membership.objects.filter(network=n).values("user_id")`) of `kind`; returns the rows
    created."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    target_type, target_id = target if target is not None else ("", None)
    fields: dict[str, Any] = {
        "kind": kind,
        "network": network,
        "actor": actor,
        "target_type": target_type,
        "target_id": target_id,
        "data": data or {},
    }
    if isinstance(recipients, QuerySet):
        rows = _insert_select(recipients, fields)
    else:
        rows = _bulk_create(recipients, fields)
    if rows:
        sent = [(row.pk, row.recipient_id) for row in rows]
        transaction.on_commit(lambda: push_online(sent))
    return rows


def _bulk_create(recipients: Iterable[int], fields: dict[str, Any]) -> list[Notification]:
    ids = {int(uid) for uid in recipients}
    actor, network = fields["actor"], fields["network"]
    if actor is not None:
        ids.discard(int(actor.pk))
    if network is not None:
        ids = audience.readers_among(network, ids)
    if not ids:
        return []
    return Notification.objects.bulk_create(
        [Notification(recipient_id=uid, **fields) for uid in sorted(ids)]
    )


def _insert_select(recipients: QuerySet[Any], fields: dict[str, Any]) -> list[Notification]:
    """One `INSERT … SELECT … RETURNING id, recipient_id` for every reader among the
    queryset's users, in the order of their ids (as the list path)."""
    actor, network = fields["actor"], fields["network"]
    users = (
        audience.readers(network, recipients)
        if network is not None
        else get_user_model().objects.filter(pk__in=recipients)
    )
    if actor is not None:
        users = users.exclude(pk=actor.pk)
    if users.query.is_empty():
        return []
    using = recipients.db
    connection = connections[using]
    select_sql, select_params = (
        users.order_by().values_list("pk").query.get_compiler(using=using).as_sql()
    )
    created_at = timezone.now()
    values = {**fields, "created_at": created_at}
    model_fields = [f for f in Notification._meta.concrete_fields if f.name in _CONSTANT_COLUMNS]
    params: list[Any] = []
    placeholders = []
    for field in model_fields:
        value = values[field.name]
        if field.is_relation:
            value = value.pk if value is not None else None
        params.append(field.get_db_prep_save(value, connection))
        # PostgreSQL types a bare parameter of a SELECT list as text (a NULL too): the
        # cast makes it the column's type. SQLite needs none, and would mangle a date.
        cast = f"::{field.db_type(connection)}" if connection.vendor == "postgresql" else ""
        placeholders.append(f"%s{cast}")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ["recipient_id", *(f.column for f in model_fields)])
    # Names from the model's metadata, every value a parameter.
    table, constants = quote(Notification._meta.db_table), ", ".join(placeholders)
    insert = f"INSERT INTO {table} ({columns}) SELECT r.*, {constants}"
    sql = f"{insert} FROM ({select_sql}) AS r ORDER BY 1 RETURNING id, recipient_id"
    with connection.cursor() as cursor, _collector_paused():
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # The planner's estimate of this statement passes jit_above_cost, and compiling
            # it took 0.7 s of the 2.3 s a 50,000-row fan-out took (docs/benchmarks.md);
            # off for the rest of the transaction, whose other statements are small.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*params, *select_params])
        return _loaded(using, cursor.fetchall(), {**values, "read_at": None})


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the 50,000 returned tuples and rows are
    built: none of them is in a cycle, yet their allocations alone would set off several
    full collections of the whole process (most of the time it takes, measured)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _loaded(
    using: str, returned: list[tuple[int, int]], values: dict[str, Any]
) -> list[Notification]:
    """The inserted rows as model instances, each the attributes a query would load (as
    `Model.from_db` leaves them) without running `__init__` and a descriptor per field:
    50,000 of them in a fraction of a second instead of seconds. The network and actor
    instances are shared by all, as the list path's are."""
    fields = {
        field.attname: (
            getattr(values[field.name], "pk", None) if field.is_relation else values[field.name]
        )
        for field in Notification._meta.concrete_fields
        if field.name in values
    }
    related = {name: values[name] for name in ("network", "actor")}
    new = Notification.__new__
    rows = []
    for pk, recipient_id in returned:
        row = new(Notification)
        state = ModelState()
        state.adding, state.db, state.fields_cache = False, using, dict(related)
        row.__dict__.update(fields, id=pk, recipient_id=recipient_id, _state=state)
        rows.append(row)
    return rows


def push_online(sent: list[tuple[int, int]]) -> None:
    """After commit: the frames of these (notification id, recipient id) rows, only to
    recipients with an open socket now (one presence look-up for all)."""
    online = presence.online_among(recipient for _pk, recipient in sent)
    ids = [pk for pk, recipient in sent if recipient in online]
    if ids:
        push(ids)


def push(notification_ids: list[int]) -> None:
    """The `notification` frame of each row to its recipient's sockets, read after commit:
    a constant number of queries for any number of recipients (the rows with their
    recipients' profiles, then every recipient's unread count at once), sent in one
    batch."""
    rows = list(
        queries.for_listing(Notification.objects.filter(pk__in=notification_ids))
        .select_related("recipient__profile")
        .order_by("id")
    )
    unread = queries.unread_counts(list({row.recipient_id: row.recipient for row in rows}.values()))
    events.send_events_now(
        [
            (
                events.user_group(row.recipient_id),
                {
                    "type": NEW,
                    "notification": queries.serialize(
                        [row], queries.language_of_user(row.recipient)
                    )[0],
                    "unread": unread[row.recipient_id],
                },
            )
            for row in rows
        ]
    )


def do_mark_read(user: User, *, ids: list[int] | None = None, every: bool = False) -> int:
    """Mark the user's notifications read: these ids (others' are ignored) or all. The
    user's other sockets hear of it (`notifications.read` with the new count), so a bell
    open on another tab or device does not stay stale."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if not every:
        unread = unread.filter(pk__in=ids or [])
    marked = list(unread.values_list("pk", flat=True)) if not every else []
    count = unread.update(read_at=timezone.now())
    if count:
        which: dict[str, Any] = {"all": True} if every else {"ids": sorted(marked)}
        transaction.on_commit(
            lambda: events.send_event_now(
                events.user_group(user.pk),
                {"type": READ, **which, "unread": queries.unread_count(user)},
            )
        )
    return count
