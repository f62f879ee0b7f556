"""The authorization sweep: people of other networks guessing ids get nothing, and learn nothing.

For every REST operation of the OpenAPI schema that names an object by id (rooms,
topics, posts, messages, categories, invitations, members), and for every websocket
frame that does, each attacker persona — `stranger` (member of another network),
`outsider` (no network), `pending` and `banned` (of the private network) — tries the
ids of the private network's, the hidden network's and a direct room's objects, as
one would guess sequential ids. Each answer must be exactly the answer for an id
that does not exist (same status, same websocket reply), never a success, and no
row anywhere may change. Slug-only operations on the hidden network must answer as
for a slug that does not exist. Any successful answer (a public network's details,
a profile) must not carry the text of anything the persona may not read.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.apps import apps
from rest_framework.test import APIClient

from config.asgi import application
from tests.hostile.world import Content, World, client

ATTACKERS = ["stranger", "outsider", "pending", "banned"]
ID_PARAMS = {
    "category_id": "category",
    "topic_id": "topic",
    "post_id": "post",
    "room_id": "room",
    "message_id": "message",
    "invitation_id": "invitation",
    "user_id": "user",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
# Everything a write endpoint might require, so validation does not answer first.
BODY = {
    "body": "sweep",
    "title": "sweep",
    "name": "sweep",
    "emoji": "👍",
    "reason": "sweep",
    "minutes": 5,
    "role": "member",
    "client_id": "sweep",
    "message": "sweep",
    "max_uses": 1,
}
SNAPSHOT_APPS = ["community", "forums", "chat", "directory", "search", "permissions"]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((method, path, operation))
    return found


OPERATIONS = operations()


def path_params(template: str) -> list[str]:
    return re.findall(r"{(\w+)}", template)


def enum_values(operation: dict[str, Any], name: str) -> list[str]:
    for parameter in operation.get("parameters", []):
        if parameter["name"] == name:
            return list(parameter.get("schema", {}).get("enum", [])) or ["x"]
    return ["x"]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the apps that hold network content, for a before/after comparison."""
    rows = {}
    for label in SNAPSHOT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def assert_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = [label for label in before if before[label] != after.get(label)]
    assert not changed, f"rows changed by refused requests: {changed}"


def hidden_from(world: World) -> list[Content]:
    """The networks none of the attackers may read."""
    return [world.networks["medical"], world.networks["lawyers"]]


def markers(world: World) -> list[str]:
    return [c.marker for c in hidden_from(world)] + [world.direct_marker]


def targets(world: World, kind: str, persona: str = "stranger") -> list[tuple[int, str]]:
    """(id, slug of its network) of every object of `kind` the persona may not touch.

    The hidden network is the same unknown to pending and banned members of the private
    one as to the stranger, so they sweep the private network's ids only.
    """
    networks = hidden_from(world)
    if persona in {"pending", "banned"}:
        networks = [world.networks["medical"]]
    found = [(i, c.slug) for c in networks for i in c.ids.get(kind, [])]
    if kind == "room" and world.direct_room:
        found.append((world.direct_room, ""))
    if kind == "message" and world.direct_message:
        found.append((world.direct_message, ""))
    if kind == "user":
        found += [(world.users[name].pk, world.networks["medical"].slug) for name in ("member",)]
    return found


def missing_id(world: World, kind: str) -> int:
    if kind == "user":
        return max(world.user_ids) + 1000
    ids = [*world.all_ids(kind), world.direct_room or 0, world.direct_message or 0]
    return max(ids) + 1000


def call(api: APIClient, method: str, path: str) -> Any:
    if method == "get":
        return api.get(path)
    return getattr(api, method)(path, BODY, format="json")


def build(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), template)


# --- REST ---------------------------------------------------------------------------------


@pytest.fixture
def attackers(world: World) -> dict[str, APIClient]:
    return {name: client(world.tokens[name]) for name in ATTACKERS}


@pytest.mark.django_db
def test_guessed_ids_answer_exactly_like_missing_ones_and_change_nothing(
    world: World, attackers: dict[str, APIClient]
) -> None:
    before = snapshot()
    mismatches: list[str] = []
    leaks: list[str] = []
    swept = 0
    for method, template, operation in OPERATIONS:
        names = path_params(template)
        id_names = [n for n in names if n in ID_PARAMS]
        if not id_names:
            continue
        (id_name,) = id_names
        kind = ID_PARAMS[id_name]
        for action in enum_values(operation, "action") if "action" in names else [""]:
            for persona, api in attackers.items():
                missing: dict[str, int] = {}  # slug → the status for an id that does not exist
                for target, slug in targets(world, kind, persona):
                    # The object's own network and, for one persona, a public network.
                    slugs = [slug or "x"]
                    if "slug" in names and persona == "stranger":
                        slugs.append(world.networks["germany"].slug)
                    for slug_used in slugs:
                        values = {"slug": slug_used, "action": action}
                        if slug_used not in missing:
                            absent = {**values, id_name: missing_id(world, kind)}
                            missing[slug_used] = call(
                                api, method, build(template, absent)
                            ).status_code
                        guessed = call(api, method, build(template, {**values, id_name: target}))
                        swept += 1
                        where = f"{method.upper()} {template} as {persona} ({id_name}={target})"
                        if guessed.status_code != missing[slug_used]:
                            mismatches.append(
                                f"{where}: {guessed.status_code}, missing id: {missing[slug_used]}"
                            )
                        text = guessed.content.decode(errors="replace")
                        if 200 <= guessed.status_code < 300 or any(
                            m in text for m in markers(world)
                        ):
                            leaks.append(f"{where}: {guessed.status_code} {text[:200]}")
    print(f"\nswept {swept} guessed ids")  # shown with -s; docs/reliability.md quotes it
    assert swept > 100, "the sweep found too few id-addressed operations"
    assert not leaks, "\n".join(leaks[:20])
    assert not mismatches, "\n".join(mismatches[:30])
    assert_unchanged(before, snapshot())


@pytest.mark.django_db
def test_the_hidden_network_answers_exactly_like_a_missing_one(
    world: World, attackers: dict[str, APIClient]
) -> None:
    before = snapshot()
    hidden = world.networks["lawyers"].slug
    mismatches = []
    for method, template, _ in OPERATIONS:
        if path_params(template) != ["slug"]:
            continue
        for persona, api in attackers.items():
            guessed = call(api, method, build(template, {"slug": hidden}))
            missing = call(api, method, build(template, {"slug": "no-such-network"}))
            if guessed.status_code != missing.status_code or 200 <= guessed.status_code < 300:
                mismatches.append(
                    f"{method.upper()} {template} as {persona}: {guessed.status_code}, "
                    f"missing slug: {missing.status_code}"
                )
    assert not mismatches, "\n".join(mismatches)
    assert_unchanged(before, snapshot())


@pytest.mark.django_db
def test_private_network_content_lists_stay_closed_to_non_members(
    world: World, attackers: dict[str, APIClient]
) -> None:
    """Private networks are listed, their content is not: no list answers with content."""
    before = snapshot()
    private = world.networks["medical"].slug
    opened = []
    for method, template, _ in OPERATIONS:
        if path_params(template) != ["slug"] or template.endswith(("/join/", "/leave/")):
            continue
        if template == "/api/v1/networks/{slug}/":
            continue  # the network itself is listed for everyone
        for persona, api in attackers.items():
            response = call(api, method, build(template, {"slug": private}))
            text = response.content.decode(errors="replace")
            if 200 <= response.status_code < 300 or any(m in text for m in markers(world)):
                opened.append(f"{method.upper()} {template} as {persona}: {response.status_code}")
    assert not opened, "\n".join(opened)
    assert_unchanged(before, snapshot())


@pytest.mark.django_db
def test_direct_room_with_someone_sharing_no_network_is_refused_like_a_missing_user(
    world: World, attackers: dict[str, APIClient]
) -> None:
    before = snapshot()
    api = attackers["stranger"]
    guessed = api.post("/api/v1/direct/", {"user_id": world.users["member"].pk}, format="json")
    missing = api.post("/api/v1/direct/", {"user_id": missing_id(world, "user")}, format="json")
    assert guessed.status_code == missing.status_code and guessed.status_code >= 400
    assert_unchanged(before, snapshot())


@pytest.mark.django_db
def test_profiles_and_search_never_show_what_the_asker_may_not_see(
    world: World, attackers: dict[str, APIClient]
) -> None:
    member = world.users["member"].username
    owner = client(world.tokens["owner"])
    shown = owner.get(f"/api/v1/profiles/{member}/")
    assert world.secret_city in shown.content.decode()  # the control: a co-member sees it
    for persona, api in attackers.items():
        if persona in {"pending", "banned"}:
            continue  # not co-members either, but the city's audience is checked once
        texts = [
            api.get(f"/api/v1/profiles/{member}/").content.decode(),
            api.get(f"/api/v1/directory/?q={world.secret_city}").content.decode(),
            api.get(f"/api/v1/search/?q={world.secret_city}").content.decode(),
        ]
        for marker in markers(world):
            texts.append(api.get(f"/api/v1/search/?q={marker}").content.decode())
            for kind in ("topics", "posts", "messages"):
                texts.append(api.get(f"/api/v1/search/?q={marker}&type={kind}").content.decode())
        for text in texts:
            assert world.secret_city not in text, (persona, text[:300])
            assert not any(m in text for m in markers(world)), (persona, text[:300])


# --- websocket (transactional: the consumer reads through its own connections) -------------

ORIGIN = (b"origin", b"http://testserver")
FRAMES_PER_SOCKET = 12  # reconnect before the abuse limit (repeated errors) closes the socket


class Prober:
    """One persona's websocket, reopened every few frames; a frame's reply is what comes
    back before the pong of a ping sent right after it."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.ws: WebsocketCommunicator | None = None
        self.sent = 0

    async def reply(self, frame: dict[str, Any]) -> list[tuple[str, str]]:
        if self.ws is None or self.sent >= FRAMES_PER_SOCKET:
            await self.close()
            self.ws = WebsocketCommunicator(
                application,
                "/ws/",
                headers=[ORIGIN, (b"authorization", f"Token {self.token}".encode())],
            )
            assert (await self.ws.connect())[0]
            self.sent = 0
        self.sent += 1
        await self.ws.send_json_to(frame)
        await self.ws.send_json_to({"type": "ping"})
        frames = []
        while True:
            got = await self.ws.receive_json_from(timeout=5)
            if got["type"] == "pong":
                return frames
            if got["type"] in {"presence", "unread", "membership"}:
                continue  # notices about the persona's own world, not replies
            frames.append((got["type"], got.get("code", "")))
            text = json.dumps(got, ensure_ascii=False)
            frames.append(("raw", text))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.disconnect()
            self.ws = None


def ws_frames(kind: str, target: int, message_of_room: int) -> list[dict[str, Any]]:
    if kind == "topic":
        return [{"type": "topic.subscribe", "topic": target}]
    if kind == "room":
        return [
            {"type": "subscribe", "room": target, "after_seq": 0},
            {
                "type": "message.send",
                "room": target,
                "body": "sweep",
                "client_id": uuid.uuid4().hex,
            },
            {"type": "typing", "room": target},
            {"type": "read", "room": target, "message_id": message_of_room},
        ]
    return [
        {"type": "message.edit", "id": target, "body": "sweep"},
        {"type": "message.delete", "id": target},
        {"type": "reaction.add", "message": target, "emoji": "👍"},
        {"type": "reaction.remove", "message": target, "emoji": "👍"},
    ]


def comparable(reply: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [pair for pair in reply if pair[0] != "raw"]


@pytest.fixture
def fast_sends(settings: Any) -> Iterator[None]:
    """The per-user write and replay budgets would answer `rate_limited` to the sweep's
    many frames, which must each get the answer of their access check."""
    budgets = {
        **settings.SHABAKA["BUDGETS"],
        "send": "1000000 per second",
        "replay": "1000000 per second",
    }
    settings.SHABAKA = {**settings.SHABAKA, "BUDGETS": budgets}
    yield


@pytest.mark.django_db(transaction=True)
def test_websocket_frames_with_guessed_ids_answer_like_missing_ones(
    live_world: World, fast_sends: None, background_loop: Any
) -> None:
    world = live_world
    before = snapshot()
    problems: list[str] = []

    async def sweep() -> None:
        for persona in ATTACKERS:
            prober = Prober(world.tokens[persona])
            try:
                for kind in ("room", "message", "topic"):
                    absent = missing_id(world, kind)
                    for target, _ in targets(world, kind, persona):
                        some_message = world.message_ids[0]
                        guessed_frames = ws_frames(kind, target, some_message)
                        missing_frames = ws_frames(kind, absent, some_message)
                        for guessed_frame, missing_frame in zip(
                            guessed_frames, missing_frames, strict=True
                        ):
                            guessed = await prober.reply(guessed_frame)
                            missing = await prober.reply(missing_frame)
                            where = f"{guessed_frame['type']} {kind}={target} as {persona}"
                            if comparable(guessed) != comparable(missing):
                                problems.append(f"{where}: {guessed} vs missing {missing}")
                            for _, text in (p for p in guessed if p[0] == "raw"):
                                if any(m in text for m in markers(world)):
                                    problems.append(f"{where}: leak {text[:200]}")
                            if any(t not in {"error", "raw"} for t, _ in guessed):
                                problems.append(f"{where}: answered {comparable(guessed)}")
            finally:
                await prober.close()

    background_loop.run(sweep(), timeout=300)
    assert not problems, "\n".join(problems[:30])
    assert_unchanged(before, snapshot())
