"""Daily and weekly digests: what is new in each of your networks since the last one.

Who gets one: users whose email mode is `daily`/`weekly`, globally or for a network
(`NetworkEmailSetting`), with a verified address and an active membership, once their
last digest of that mode is a period old. `send_due` walks them in windows of user
ids (never a whole table in memory) and, per window in one transaction, moves
their `<mode>_digest_at` to now and writes one `Mail` row each with the window
(`since`, `until`) in its payload — so a restart never resends a window, and a crash
before the commit sends nothing and records nothing.

What a digest says is gathered when it is sent (`collect`): for each network where the
user is an active member *then* (not left, not banned) and whose mode for them is the
digest's, every registered section's items — new topics here; later apps (meetings,
calls) add theirs with `@digest.section(name, label=…)`. Nothing new, no mail.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.actions import display_name
from accounts.identity import verified_email
from community.forums.models import Topic
from community.models import Membership, Network
from mailer import links, outbox
from mailer.links import absolute
from notifications.models import EmailMode, NetworkEmailSetting, NotificationSettings
from notifications.texts import language_of

KIND = "notifications.digest"
PERIODS = {EmailMode.DAILY: dt.timedelta(days=1), EmailMode.WEEKLY: dt.timedelta(days=7)}
# A digest is due a little before its period has passed, so that a job running every
# few minutes does not push the hour a little later each day.
SLACK = dt.timedelta(minutes=15)
BATCH = 500
# Items of one section shown per network; the rest are "and N more" on the network's page.
MAX_ITEMS = 10


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    by: str = ""


@dataclass(frozen=True)
class Found:
    items: tuple[Item, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Part:
    """One section of a network's block; equal (and hashed) by what it shows."""

    section: str
    label: Any = field(compare=False)  # the section's lazy heading: its name decides it
    items: tuple[Item, ...]
    more: int


@dataclass(frozen=True)
class Block:
    """What is new in one network: equal blocks render the same for a language, so a
    run renders each once (`notifications.mail`), not once per recipient."""

    network_id: int
    name: str
    url: str
    parts: tuple[Part, ...]


# A section: (user, networks, since, until) → {network id: what is new there}.
Collector = Callable[[User, Sequence[Network], dt.datetime, dt.datetime], dict[int, Found]]


@dataclass(frozen=True)
class Section:
    name: str
    label: Any
    collect: Collector


_sections: dict[str, Section] = {}


def section(name: str, *, label: Any) -> Callable[[Collector], Collector]:
    """Register a digest section (`label` a lazy translation, the section's heading)."""

    def register(fn: Collector) -> Collector:
        known = _sections.get(name)
        if known is not None and known.collect is not fn:
            raise ValueError(f"digest section {name!r} is already registered")
        _sections[name] = Section(name, label, fn)
        return fn

    return register


def sections() -> list[Section]:
    return list(_sections.values())


# --- who is due, and queueing their mail -----------------------------------------------


def _due(mode: str, now: dt.datetime) -> Any:
    last = f"{mode}_digest_at"
    period = PERIODS[mode]  # type: ignore[index]
    wants = Q(email=mode) | Exists(
        NetworkEmailSetting.objects.filter(user_id=OuterRef("user_id"), email=mode)
    )
    member = Exists(
        Membership.objects.filter(
            user_id=OuterRef("user_id"), status=Membership.Status.ACTIVE, network__archived=False
        )
    )
    return (
        NotificationSettings.objects.filter(wants, member, user__is_active=True)
        .filter(Q(**{f"{last}__isnull": True}) | Q(**{f"{last}__lte": now - period + SLACK}))
        .filter(verified_email("user__"))
    )


def _window_end(after: int) -> int | None:
    """The user id closing the next window: the BATCH-th settings row after `after`, by
    primary key; None when fewer are left (the last window is open-ended)."""
    ends = (
        NotificationSettings.objects.filter(user_id__gt=after)
        .order_by("user_id")
        .values_list("user_id", flat=True)[BATCH - 1 : BATCH]
    )
    return next(iter(ends), None)


def _within(after: int, end: int | None) -> Q:
    """Settings rows of users `after` < id ≤ `end`, bounded on the account keys too.

    PostgreSQL guesses that `verified_email` (two columns of one row compared) keeps
    0.5 % of the keys, so without a range of its own it reads all of them per batch —
    and given only `user_id > after`, every due row after it, sorted for the LIMIT: a
    run of n members cost O(n) per batch, O(n²) in all. Bounded on both tables, a batch
    is index ranges of BATCH rows at most, whatever the size of the run."""
    bounds = Q(user_id__gt=after, user__account_key__pk__gt=after)
    if end is not None:
        bounds &= Q(user_id__lte=end, user__account_key__pk__lte=end)
    return bounds


def send_due(mode: str, now: dt.datetime | None = None) -> int:
    """Queue the `mode` digest of everyone due; returns how many were queued.

    Walks the settings rows in windows of BATCH by primary key (`_window_end`), queueing
    those due in each: a window costs the same at any position in any size of run."""
    if mode not in PERIODS:
        raise ValueError(f"unknown digest mode {mode!r}")
    now = now or timezone.now()
    forget()
    last = f"{mode}_digest_at"
    period = PERIODS[mode]  # type: ignore[index]
    after = 0
    queued = 0
    while True:
        end = _window_end(after)
        with transaction.atomic():
            due = _due(mode, now).filter(_within(after, end)).order_by("user_id")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            batch = list(
                due.values_list("user_id", last, "user__email", "user__profile__ui_language")
            )
            rows = []
            for user_id, previous, email, ui_language in batch:
                # Since the last one, but not further back than two periods: one who
                # comes back to daily mail after a month is not sent a month of news.
                since = max(previous or now - period, now - 2 * period)
                row = outbox.new_row(
                    KIND,
                    to=email,
                    user=None,
                    language=language_of(ui_language),
                    payload={"mode": mode, "since": since.isoformat(), "until": now.isoformat()},
                )
                row.user_id = user_id
                rows.append(row)
            if rows:
                outbox.queue_many(rows)
                NotificationSettings.objects.filter(user_id__in=[b[0] for b in batch]).update(
                    **{last: now}
                )
        queued += len(batch)
        if end is None:
            return queued
        after = end


# --- what a digest says ------------------------------------------------------------------


def networks_for(user_ids: Sequence[int], mode: str) -> dict[int, list[Network]]:
    """Per user, the networks whose news go in their `mode` digest: active member now,
    and the network's mode for them (its override, else theirs, else instant) is `mode`.

    One plain statement for a batch of users (a delivery's claim, `mail.prefetch`):
    compiling the equivalent ORM query (two subqueries in a COALESCE) cost more than
    running it, 100,000 times in a big run."""
    if not user_ids:
        return {}
    network, membership = Network._meta.db_table, Membership._meta.db_table
    override, theirs = NetworkEmailSetting._meta.db_table, NotificationSettings._meta.db_table
    # Table names and placeholders only are formatted in; every value is a parameter.
    sql = (
        f"SELECT n.*, m.user_id AS digest_user_id FROM {network} n"  # noqa: S608
        f" JOIN {membership} m ON m.network_id = n.id AND m.status = %s"
        f" AND m.user_id IN ({', '.join(['%s'] * len(user_ids))})"
        f" LEFT JOIN {override} o ON o.network_id = n.id AND o.user_id = m.user_id"
        f" LEFT JOIN {theirs} s ON s.user_id = m.user_id"
        " WHERE NOT n.archived AND COALESCE(o.email, s.email, %s) = %s"
        " ORDER BY n.name, n.id"
    )
    params = [Membership.Status.ACTIVE, *user_ids, EmailMode.INSTANT, mode]
    found: dict[int, list[Network]] = {user_id: [] for user_id in user_ids}
    for row in Network.objects.raw(sql, params):
        found[row.digest_user_id].append(row)  # type: ignore[attr-defined]
    return found


def collect(
    user: User,
    mode: str,
    since: dt.datetime,
    until: dt.datetime,
    networks: list[Network] | None = None,
) -> list[Block]:
    """A block per network with news, its sections in registration order (`networks`:
    the user's for this mode, when they were read with a batch's)."""
    if networks is None:
        networks = networks_for([user.pk], mode)[user.pk]
    if not networks:
        return []
    found = [(s, s.collect(user, networks, since, until)) for s in sections()]
    blocks = []
    for network in networks:
        parts = tuple(
            Part(s.name, s.label, by_network[network.pk].items, by_network[network.pk].more)
            for s, by_network in found
            if network.pk in by_network and by_network[network.pk].items
        )
        if parts:
            url = links.url("web:network", network.slug)
            blocks.append(Block(network.pk, network.name, url, parts))
    return blocks


# Topics of a network in a window are the same for every recipient of that window: a
# digest run renders thousands of digests with one query per network, not per mail.
_memo: dict[tuple[str, int, str, str], tuple[float, Found]] = {}
MEMO_SECONDS = 60.0


def forget() -> None:
    _memo.clear()


def first_items(window: Any, item: Callable[[Any], Item]) -> Found:
    """The first MAX_ITEMS rows of an ordered queryset as items, with the window's total
    (counted only when there are more)."""
    rows = list(window[:MAX_ITEMS])
    total = len(rows) if len(rows) < MAX_ITEMS else window.count()
    return Found(tuple(item(row) for row in rows), total)


def memoized(
    section: str, network_id: int, since: dt.datetime, until: dt.datetime, read: Callable[[], Found]
) -> Found:
    """What a section found in a network for a window, read once a minute at most (every
    reader of the network with the same window gets the same list)."""
    key = (section, network_id, since.isoformat(), until.isoformat())
    hit = _memo.get(key)
    if hit is not None and time.monotonic() - hit[0] < MEMO_SECONDS:
        return hit[1]
    found = read()
    if len(_memo) > 1000:
        _memo.clear()
    _memo[key] = (time.monotonic(), found)
    return found


def _topics_of(network_id: int, since: dt.datetime, until: dt.datetime) -> Found:
    window = Topic.objects.filter(
        network_id=network_id, deleted=False, created_at__gte=since, created_at__lt=until
    )
    return first_items(
        window.select_related("author__profile").order_by("-created_at", "-id"),
        lambda topic: Item(
            title=topic.title,
            url=absolute(reverse("web:topic", args=[topic.pk])),
            by=display_name(topic.author) if topic.author is not None else "",
        ),
    )


@section("topics", label=_("New topics"))
def new_topics(
    user: User, networks: Sequence[Network], since: dt.datetime, until: dt.datetime
) -> dict[int, Found]:
    return {
        n.pk: memoized("topics", n.pk, since, until, partial(_topics_of, n.pk, since, until))
        for n in networks
    }
