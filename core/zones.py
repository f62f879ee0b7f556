"""IANA time zones by name, never failing: a name this machine's tz database does not
know (never chosen, or dropped by an update) is UTC rather than an error page."""

from __future__ import annotations

import zoneinfo


def zone_of(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
