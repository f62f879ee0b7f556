"""Positions under real concurrency (PostgreSQL row locks, real threads): the last
position accepted twice at once fills the call once; a member applying twice at once
has one application."""

from __future__ import annotations

from typing import Any

import pytest

from calls import actions
from calls.models import Application, Call
from core.errors import StateConflict
from tests import _threads as threads
from tests.factories.calls import call_body
from tests.factories.networks import add_member
from tests.factories.users import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def a_call(network: Any, poster: Any, positions: int) -> Call:
    call = actions.do_create_call(poster, network, call_body(positions=positions))
    return actions.do_publish_call(poster, call)


def applicants(network: Any, call: Call, n: int) -> list[Application]:
    out = []
    for i in range(n):
        user = make_user(f"candidate{i}")
        add_member(network, user)
        out.append(actions.do_apply(user, call, {"message": "Disponible."}))
    return out


def fresh(application: Application) -> Application:
    return Application.objects.select_related("call__network", "call__poster").get(
        pk=application.pk
    )


def test_the_last_position_accepted_twice_at_once_fills_the_call_once(
    public_network: Any, moderator: Any, owner: Any
) -> None:
    call = a_call(public_network, moderator, positions=2)
    first, second, third = applicants(public_network, call, 3)
    actions.do_decide(moderator, fresh(first), "accept")
    results = threads.run_all(
        [
            lambda: actions.do_decide(moderator, fresh(second), "accept"),
            lambda: actions.do_decide(owner, fresh(third), "accept"),
        ]
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], StateConflict) and refused[0].code == "call_filled"
    call.refresh_from_db()
    assert (call.status, call.accepted_count) == ("filled", 2)
    statuses = sorted(Application.objects.filter(call=call).values_list("status", flat=True))
    assert statuses == ["accepted", "accepted", "submitted"]


def test_applying_twice_at_once_makes_one_application(public_network: Any, moderator: Any) -> None:
    call = a_call(public_network, moderator, positions=1)
    user = make_user("eager")
    add_member(public_network, user)
    results = threads.run_all([lambda: actions.do_apply(user, call, {}) for _ in range(4)])
    made = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if isinstance(r, StateConflict)]
    assert (len(made), len(refused)) == (1, 3), results
    call.refresh_from_db()
    assert call.applications_count == Application.objects.filter(call=call).count() == 1
