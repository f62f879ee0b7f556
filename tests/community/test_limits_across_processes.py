"""The sign-in lock and the sign-up and posting budgets hold across processes (issue #11, §2).

Two real daphne workers on the test database and the run's Redis, with the contract's
limits (the tests otherwise run them wide open): a client alternating between them gets
the same budget as on one. Real services only (second pass).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests._live import daphne_workers  # noqa: F401 - the fixture
from tests._process import DaphneWorker
from tests.factories.networks import make_network
from tests.factories.users import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
LIMITS = {
    "SIGNIN_FAILURE_LIMIT": "5",
    "SIGNIN_LOCKOUT_MINUTES": "15",
    "BUDGET_SIGNUP": "5 per hour",
    "BUDGET_FORUM_REPLY": "3 per 15 seconds; 30 per 10 minutes; 300 per day",
}


@pytest.fixture
def pair(daphne_workers: Callable[..., DaphneWorker]) -> tuple[DaphneWorker, DaphneWorker]:  # noqa: F811
    return daphne_workers(**LIMITS), daphne_workers(**LIMITS)


def alternate(pair: tuple[DaphneWorker, DaphneWorker], n: int) -> DaphneWorker:
    return pair[n % 2]


def test_the_sixth_sign_in_alternating_between_workers_is_locked(
    pair: tuple[DaphneWorker, DaphneWorker],
) -> None:
    make_user("amina", password=PASSWORD)
    wrong = [
        alternate(pair, n).request(
            "POST", "/api/v1/auth/token/", body={"username": "amina", "password": "guess"}
        )[0]
        for n in range(4)
    ]
    fifth, _ = pair[0].request(
        "POST", "/api/v1/auth/token/", body={"username": "Amina", "password": "guess"}
    )
    status, body = pair[1].request(
        "POST", "/api/v1/auth/token/", body={"username": "amina", "password": PASSWORD}
    )

    assert wrong == [401] * 4
    assert fifth == 429
    assert status == 429
    assert json.loads(body)["error"]["code"] == "rate_limited"


def test_the_sixth_sign_up_from_one_address_alternating_between_workers_is_refused(
    pair: tuple[DaphneWorker, DaphneWorker],
) -> None:
    def register(n: int) -> int:
        account = {
            "username": f"newcomer{n}",
            "email": f"n{n}@example.org",
            "password": "Argan-Oil-2024",
        }
        return alternate(pair, n).request("POST", "/api/v1/auth/register/", body=account)[0]

    made = [register(n) for n in range(5)]
    sixth = register(5)

    assert made == [201] * 5
    assert sixth == 429


def test_replies_alternating_between_workers_share_one_budget(
    pair: tuple[DaphneWorker, DaphneWorker],
) -> None:
    owner = make_user("owner")
    member = make_user("member", password=PASSWORD)
    network = make_network(owner, slug="germany")
    from community.actions.membership import do_join_network
    from community.forums import actions

    do_join_network(member, network)
    category = actions.do_create_category(owner, network, name="Général")
    topic, _ = actions.do_create_topic(owner, category, "Bonjour", "Premier message")
    status, body = pair[0].request(
        "POST", "/api/v1/auth/token/", body={"username": "member", "password": PASSWORD}
    )
    assert status == 200, body
    token: Any = json.loads(body)["token"]

    statuses = [
        alternate(pair, n).request(
            "POST", f"/api/v1/topics/{topic.pk}/posts/", token, body={"body": f"Réponse {n}"}
        )[0]
        for n in range(6)
    ]

    assert statuses == [201, 201, 201, 429, 429, 429]
