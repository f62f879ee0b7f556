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
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
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
    once: bool = False,
) -> list[Notification]:
    """Notify `recipients` (user ids, or a queryset of user ids such as
    `Membership.objects.filter(network=n).values("user_id")`) of `kind`; returns the rows
    created. `once`: not those who already have a notification of this kind about this
    target (an edited post or message mentions each person once)."""
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
        rows = _insert_select(recipients, fields, once)
    else:
        rows = _bulk_create(recipients, fields, once)
    if rows:
        transaction.on_commit(lambda: push_online(rows))
    return rows


def _bulk_create(
    recipients: Iterable[int], fields: dict[str, Any], once: bool
) -> list[Notification]:
    ids = {int(uid) for uid in recipients}
    actor, network = fields["actor"], fields["network"]
    if actor is not None:
        ids.discard(int(actor.pk))
    if once and ids:
        ids -= queries.notified_among(
            ids, fields["kind"], fields["target_type"], fields["target_id"]
        )
    if network is not None:
        ids = audience.readers_among(network, ids)
    if not ids:
        return []
    return Notification.objects.bulk_create(
        [Notification(recipient_id=uid, **fields) for uid in sorted(ids)]
    )


def _insert_select(
    recipients: QuerySet[Any], fields: dict[str, Any], once: bool
) -> list[Notification]:
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
    if once:
        users = users.exclude(
            pk__in=queries.about(fields["kind"], fields["target_type"], fields["target_id"]).values(
                "recipient_id"
            )
        )
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
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # The planner's estimate of this statement passes jit_above_cost, and compiling
            # it took 0.7 s of the 2.3 s of a 50,000-row fan-out (docs/benchmarks.md); off
            # for the rest of the transaction, whose other statements are small.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [*params, *select_params])
        with _collector_paused():
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


def push_online(rows: list[Notification]) -> None:
    """After commit: the frames of these rows just created, only to recipients with an
    open socket now (one presence look-up for all; the rows are not read again)."""
    online = presence.online_among(row.recipient_id for row in rows)
    if online:
        _send([row for row in rows if row.recipient_id in online])


def push(notification_ids: list[int]) -> None:
    """The `notification` frame of each of these rows to its recipient's sockets."""
    _send(list(Notification.objects.filter(pk__in=notification_ids).order_by("id")))


def _send(rows: list[Notification]) -> None:
    """The rows' frames, read after commit in a constant number of queries for any number
    of recipients (their networks and actors, the recipients' languages, every unread
    count at once), sent in one batch. Rows alike but for their recipient (a fan-out's)
    are rendered once per language and time zone."""
    recipients = {row.recipient_id for row in rows}
    networks = Network.objects.in_bulk({row.network_id for row in rows} - {None})
    actors = User.objects.select_related("profile").in_bulk({row.actor_id for row in rows} - {None})
    readers = queries.languages_of(recipients)
    unread = queries.unread_counts_of(recipients)
    shapes: dict[tuple[Any, ...], dict[str, Any]] = {}
    frames = []
    for row in rows:
        row.network = networks.get(row.network_id) if row.network_id else None
        row.actor = actors.get(row.actor_id) if row.actor_id else None
        language, zone = readers.get(row.recipient_id, (settings.LANGUAGE_CODE, ""))
        alike = (
            language,
            zone,
            row.kind,
            row.network_id,
            row.actor_id,
            row.target_type,
            row.target_id,
            json.dumps(row.data, sort_keys=True, cls=DjangoJSONEncoder),
        )
        shape = shapes.get(alike)
        if shape is None:
            shape = shapes[alike] = queries.serialize([row], language, zone)[0]
        notification = {**shape, "id": row.pk, "created_at": row.created_at}
        notification["read_at"] = row.read_at
        frames.append(
            (
                events.user_group(row.recipient_id),
                {"type": NEW, "notification": notification, "unread": unread[row.recipient_id]},
            )
        )
    events.send_events_now(frames)


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


def do_mark_target_read(user: User, kind: str, target: tuple[str, int]) -> int:
    """Mark read the user's unread notifications of `kind` about `target` (reading a
    direct conversation reads its `direct_message` notification); one query when there
    are none."""
    ids = queries.unread_about(user.pk, kind, target)
    return do_mark_read(user, ids=ids) if ids else 0
