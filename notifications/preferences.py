"""A user's notification email settings: reading them, changing them, and what they mean.

`{email: instant|daily|weekly|off, kinds: {<kind>: bool}, networks: {<slug>: {email}}}`
(CONTRACT.md, "Notifications"). No row means instant email for every kind. `kinds`
governs email only: a kind switched off is still listed in the app (the bell is where
one looks; email is what reaches one who is not looking). A network's `email` overrides
the user's mode for that network's notifications and digests; only networks the user is
an active member of may have one (and only those are shown and used).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from community.models import Membership, Network
from core.errors import InvalidInput
from notifications.models import EmailMode, NetworkEmailSetting, Notification, NotificationSettings

KINDS: tuple[str, ...] = tuple(Notification.Kind.values)
MODES: tuple[str, ...] = tuple(EmailMode.values)
FIELDS = ("email", "kinds", "networks")


@dataclass
class Choices:
    """One user's email choices as the jobs read them."""

    email: str = EmailMode.INSTANT
    kinds_off: frozenset[str] = frozenset()
    networks: dict[int, str] = field(default_factory=dict)

    def mode_for(self, network_id: int | None) -> str:
        if network_id is not None and network_id in self.networks:
            return self.networks[network_id]
        return self.email

    def mails_instantly(self, kind: str, network_id: int | None) -> bool:
        return kind not in self.kinds_off and self.mode_for(network_id) == EmailMode.INSTANT


def choices_of(user_ids: Iterable[int]) -> dict[int, Choices]:
    """Every user's choices, in two queries whatever their number."""
    ids = list(set(user_ids))
    found = {uid: Choices() for uid in ids}
    for row in NotificationSettings.objects.filter(user_id__in=ids):
        found[row.user_id] = Choices(
            email=row.email,
            kinds_off=frozenset(k for k, on in (row.kinds or {}).items() if not on),
        )
    overrides = NetworkEmailSetting.objects.filter(user_id__in=ids).values_list(
        "user_id", "network_id", "email"
    )
    for user_id, network_id, mode in overrides:
        found[user_id].networks[network_id] = mode
    return found


def active_networks(user: User) -> list[Network]:
    return list(
        Network.objects.filter(
            archived=False,
            memberships__user_id=user.pk,
            memberships__status=Membership.Status.ACTIVE,
        ).order_by("name", "id")
    )


def read(user: User) -> dict[str, Any]:
    """The API shape: every kind with its switch, the overrides of the user's networks."""
    row = NotificationSettings.objects.filter(user_id=user.pk).first() or NotificationSettings()
    active = {n.pk: n.slug for n in active_networks(user)}
    overrides = NetworkEmailSetting.objects.filter(user_id=user.pk, network_id__in=list(active))
    return {
        "email": row.email,
        "kinds": {kind: row.kind_on(kind) for kind in KINDS},
        "networks": {
            active[o.network_id]: {"email": o.email}
            for o in sorted(overrides, key=lambda o: active[o.network_id])
        },
    }


def _name(value: Any) -> str:
    """A key the client sent, safe to echo in an error's field name."""
    return str(value)[:60]


def _check(user: User, data: Any) -> tuple[str | None, dict[str, bool], dict[Network, str | None]]:
    """The changes asked for, or InvalidInput naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        raise InvalidInput("invalid", "Send a JSON object.")
    for key in data:
        if key not in FIELDS:
            errors[_name(key)] = ["Unknown field: send email, kinds or networks."]
    email = data.get("email")
    if "email" in data and email not in MODES:
        errors["email"] = [f"Unknown email mode; one of {', '.join(MODES)}."]
    kinds: dict[str, bool] = {}
    raw_kinds = data.get("kinds", {})
    if not isinstance(raw_kinds, dict):
        errors["kinds"] = ["Send an object of kind: true or false."]
        raw_kinds = {}
    for kind, on in raw_kinds.items():
        if kind not in KINDS:
            errors[f"kinds.{_name(kind)}"] = ["Unknown notification kind."]
        elif not isinstance(on, bool):
            errors[f"kinds.{_name(kind)}"] = ["Must be true or false."]
        else:
            kinds[kind] = on
    networks: dict[Network, str | None] = {}
    raw_networks = data.get("networks", {})
    if not isinstance(raw_networks, dict):
        errors["networks"] = ["Send an object of network slug: {email}."]
        raw_networks = {}
    if raw_networks:
        mine = {n.slug: n for n in active_networks(user)}
        for slug, choice in raw_networks.items():
            where = f"networks.{_name(slug)}"
            network = mine.get(slug) if isinstance(slug, str) else None
            if network is None:
                # The same answer for a network that does not exist and one the user is
                # not in: a hidden network's slug is not confirmed.
                errors[where] = ["You are not an active member of a network with this slug."]
                continue
            if choice is None:
                networks[network] = None
                continue
            if not isinstance(choice, dict) or set(choice) - {"email"}:
                errors[where] = ['Send {"email": mode}, or null to follow your email mode.']
                continue
            mode = choice.get("email")
            if mode is not None and mode not in MODES:
                errors[f"{where}.email"] = [f"Unknown email mode; one of {', '.join(MODES)}."]
                continue
            networks[network] = mode
    if errors:
        raise InvalidInput("invalid", "Some settings are not valid.", errors)
    return (email if "email" in data else None), kinds, networks


def do_update_settings(user: User, data: Any) -> dict[str, Any]:
    """Apply a partial change (`read`'s shape; a network's email null drops its override);
    nothing is stored unless all of it is valid. Returns the settings as now read."""
    email, kinds, networks = _check(user, data)
    with transaction.atomic():
        row, _created = NotificationSettings.objects.select_for_update().get_or_create(
            user_id=user.pk
        )
        if email is not None:
            row.email = email
        if kinds:
            # Only the switches that differ from the default (on) are kept.
            merged = {**(row.kinds or {}), **kinds}
            row.kinds = {k: on for k, on in merged.items() if not on}
        row.save()
        for network, mode in networks.items():
            if mode is None:
                NetworkEmailSetting.objects.filter(user_id=user.pk, network=network).delete()
            else:
                NetworkEmailSetting.objects.update_or_create(
                    user_id=user.pk, network=network, defaults={"email": mode}
                )
    return read(user)


def do_turn_off(user_id: int, *, kinds: Iterable[str] = (), digest: str | None = None) -> bool:
    """What an unsubscribe link turns off: these kinds' email, or a digest (the mode
    and every network override that asked for it become off). Returns whether anything
    changed."""
    changed = False
    with transaction.atomic():
        row, _created = NotificationSettings.objects.select_for_update().get_or_create(
            user_id=user_id
        )
        off = {k for k in kinds if k in KINDS and row.kind_on(k)}
        if off:
            row.kinds = {**(row.kinds or {}), **dict.fromkeys(off, False)}
            changed = True
        if digest in (EmailMode.DAILY, EmailMode.WEEKLY):
            if row.email == digest:
                row.email = EmailMode.OFF
                changed = True
            overrides = NetworkEmailSetting.objects.filter(user_id=user_id, email=digest)
            changed = bool(overrides.update(email=EmailMode.OFF)) or changed
        row.save()
    return changed
