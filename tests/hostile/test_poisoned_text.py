"""Every text field of every REST write, poisoned: a lone surrogate, a NUL, bidi controls,
deep nesting (the websocket's frames: test_poisoned_frames.py; the poisons: poison.py).

No hand list of fields: the cases are walked out of the OpenAPI schema (every string
property, at any depth, of every JSON request body, every string query parameter and
every string path parameter). An endpoint added tomorrow is poisoned tomorrow.

For each string field a valid-looking request is built around it (required fields
filled with plausible values, path parameters steered to the owner's own public
network, so the request would be carried out), then sent with that one field
poisoned:

- a NUL or a lone surrogate in the value, or in a key: a 400 (the contract's error
  shape, code `invalid`, the field named), never a 5xx, and no row anywhere changes
  (before/after snapshot of every model);
- JSON nested 100,000 deep: `too_deep`, nothing written;
- bidi controls and zero-width characters: accepted or refused, never a 5xx; what is
  accepted comes back as sent, or with those characters stripped, nothing else
  changed (these requests run in a savepoint rolled back afterwards, so they leave
  the world as it was).
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from tests.conftest import clear_cache
from tests.factories.users import make_user, token_for
from tests.hostile.poison import BIDI, POISONS, STRIPPABLE, changed, every_row
from tests.hostile.world import World, client

REST_DEPTH = 100_000
WRITE_METHODS = ("post", "put", "patch")


# --- the schema ---------------------------------------------------------------------------


def generated_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


SCHEMA = generated_schema()
Path = tuple[str | int, ...]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref, a single allOf and the first oneOf (drf-spectacular's enum + blank)."""
    while True:
        if "$ref" in node:
            node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1:
            node = node["allOf"][0]
        elif node.get("oneOf"):
            node = node["oneOf"][0]
        else:
            return node


def string_paths(node: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every string (free text or enum) in a request schema, with its path and schema."""
    node = resolve(node)
    if node.get("type") == "object" or "properties" in node:
        for name, sub in node.get("properties", {}).items():
            if not sub.get("readOnly"):
                yield from string_paths(sub, (*path, name))
    elif node.get("type") == "array":
        yield from string_paths(node.get("items", {}), (*path, 0))
    elif node.get("type") == "string" or "enum" in node:
        yield path, node


class Plausible:
    """Values that a validator would accept, so the request would otherwise be carried out."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.n = 0

    def string(self, name: str | int, node: dict[str, Any]) -> str:
        self.n += 1
        n = self.n
        enum = [v for v in node.get("enum", []) if v]
        if enum:
            return str(enum[0])
        limit = int(node.get("maxLength", 60))
        by_name = {
            "slug": f"probe-{n}",
            "username": f"probe{n}",
            "password": "a long probe passphrase",
            "country": "MA",
            "emoji": "👍",
            "client_id": f"probe-{n}-{uuid.uuid4().hex[:8]}",
        }
        if node.get("format") == "email":
            return f"probe{n}@example.org"
        if name == 0:
            return "ar" if limit >= 2 else "a"
        return by_name.get(str(name), f"probe text {n}")[:limit]

    def value(self, name: str, node: dict[str, Any]) -> Any:
        node = resolve(node)
        kind = node.get("type")
        if kind == "integer":
            ids = {
                "user_id": self.world.users["member"].pk,
                "message_id": self.world.networks["germany"].ids["message"][0],
            }
            return ids.get(name, max(1, int(node.get("minimum", 1))))
        if kind == "boolean":
            return False
        if kind == "array":
            return []
        if kind == "object" or "properties" in node:
            return self.body(node)
        return self.string(name, node)

    def body(self, node: dict[str, Any]) -> dict[str, Any]:
        node = resolve(node)
        return {
            name: self.value(name, sub)
            for name, sub in node.get("properties", {}).items()
            if name in node.get("required", [])
        }


def put(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A copy of `body` with `value` at `path`, making the containers on the way."""
    body = json.loads(json.dumps(body))
    target: Any = body
    for here, nxt in itertools.pairwise(path):
        if isinstance(target, dict):
            target = target.setdefault(here, [] if isinstance(nxt, int) else {})
        else:
            target.append([] if isinstance(nxt, int) else {})
            target = target[-1]
    last = path[-1]
    if isinstance(target, list):
        target.append(value)
    else:
        target[last] = value
    return body


def get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not data:
                return None
            data = data[0]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def steer(world: World, operation: dict[str, Any]) -> dict[str, Any]:
    """Path parameters naming the owner's own public network and what it holds."""
    germany = world.networks["germany"]
    values: dict[str, Any] = {
        "slug": germany.slug,
        "category_id": germany.ids["category"][0],
        "topic_id": germany.ids["topic"][0],
        "post_id": germany.ids["post"][-1],
        "room_id": germany.ids["room"][0],
        "message_id": germany.ids["message"][0],
        "invitation_id": (germany.ids["invitation"] or [0])[0],
        "user_id": world.users["member"].pk,
        "username": world.users["member"].username,
    }
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and parameter["name"] not in values:
            enum = resolve(parameter.get("schema", {})).get("enum") or ["x"]
            values[parameter["name"]] = "ban" if "ban" in enum else enum[0]
    return values


def fill(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: quote(str(values[m.group(1)]), safe=""), template)


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for template, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, template, operation


def json_body_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def string_parameters(operation: dict[str, Any], where: str) -> list[str]:
    names = []
    for parameter in operation.get("parameters", []):
        node = resolve(parameter.get("schema", {}))
        if node.get("type") == "array":
            node = resolve(node.get("items", {}))
        if parameter["in"] == where and (node.get("type") == "string" or "enum" in node):
            names.append(parameter["name"])
    return names


# --- REST ---------------------------------------------------------------------------------


def send(api: APIClient, method: str, path: str, body: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)  # ensure_ascii: \ud800, \u0000
    return api.generic(method.upper(), path, raw, "application/json")


def problem_with_error(response: Any, code: str | None, field: Any = None) -> str | None:
    """None when the response is a 400 in the contract's error shape (with that code and
    naming that field, when given); else what is wrong."""
    if response.status_code >= 500:
        return f"{response.status_code} {response.content[:200]!r}"
    if not 400 <= response.status_code < 500:
        return f"accepted with {response.status_code}"
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"{response.status_code} as {response.get('Content-Type')}"
    error = response.json().get("error")
    if not isinstance(error, dict) or not {"code", "message", "fields"} <= set(error):
        return f"{response.status_code} body {response.content[:200]!r}"
    if code is None:
        return None
    if response.status_code != 400 or error["code"] != code:
        return f"{response.status_code} {error['code']} (expected 400 {code})"
    if field is not None and field not in error["fields"]:
        return f"400 {code} without naming {field!r}: {error['fields']}"
    return None


def rolled_back(api: APIClient, method: str, path: str, body: Any) -> Any:
    """Make a request whose writes are undone afterwards (and the caches they touched)."""
    savepoint = transaction.savepoint()
    try:
        return send(api, method, path, body)
    finally:
        transaction.savepoint_rollback(savepoint)
        clear_cache()


@pytest.fixture
def writers(world: World) -> list[APIClient]:
    """The owner of the steered network, then staff (who alone may create networks)."""
    staff = make_user(f"probestaff{uuid.uuid4().hex[:8]}", staff=True)
    return [client(world.tokens["owner"]), client(token_for(staff))]


@pytest.mark.django_db
def test_every_string_field_of_every_write_refuses_nul_surrogates_and_deep_json(
    world: World, writers: list[APIClient]
) -> None:
    plausible = Plausible(world)
    problems: list[str] = []
    cases = accepted = strict = 0
    for method, template, operation in operations():
        schema = json_body_schema(operation)
        if method not in WRITE_METHODS or schema is None:
            continue
        path = fill(template, steer(world, operation))
        where = f"{method.upper()} {template}"
        fields = list(string_paths(schema))
        # Whoever is allowed to make this request with clean values makes the poisoned ones.
        for api in writers:
            control = rolled_back(api, method, path, plausible.body(schema))
            if 200 <= control.status_code < 300:
                break
        carried_out = 200 <= control.status_code < 300
        # One snapshot per operation: the bidi requests between are rolled back.
        before = every_row()
        for field_path, node in fields:
            name = ".".join(map(str, field_path))
            base = plausible.body(schema)
            clean = plausible.string(field_path[-1], node)

            # The control, with bidi controls in the field: carried out (then undone) or
            # refused, never a 5xx; accepted text comes back as sent or stripped.
            bidi = clean + BIDI
            response = rolled_back(api, method, path, put(base, field_path, bidi))
            ok = 200 <= response.status_code < 300
            if response.status_code >= 500:
                problems.append(f"{where} {name} with bidi controls: {response.status_code}")
            elif ok:
                accepted += 1
                back = get(response.json(), field_path) if response.content else None
                free_text = "enum" not in node  # an enum field may be ignored by an action
                if (
                    free_text
                    and isinstance(back, str)
                    and back not in {bidi, STRIPPABLE.sub("", bidi)}
                ):
                    problems.append(f"{where} {name}: sent {bidi!r}, got back {back!r}")

            for label, poison in POISONS.items():
                body = put(base, field_path, clean[:1] + poison + clean[1:])
                response = send(api, method, path, body)
                cases += 1
                # Where the clean request would be carried out, nothing but the text can
                # be the reason: it must be this 400. Elsewhere any refusal in shape will do.
                expected = ("invalid", field_path[0]) if ok else (None, None)
                strict += ok
                problem = problem_with_error(response, *expected)
                if problem:
                    problems.append(f"{where} {name} with a {label}: {problem}")

        # Keys and nesting, once per operation.
        base = plausible.body(schema)
        first = fields[0][0][0] if fields else "x"
        deep = "[" * REST_DEPTH + "]" * REST_DEPTH
        raw_deep = json.dumps({**base, first: "@"}).replace('"@"', deep)
        for label, body, code in [
            ("a NUL in a key", {**base, "probe\x00": 1}, "invalid"),
            ("a surrogate in a key", {**base, "probe\ud800": 1}, "invalid"),
            (f"JSON {REST_DEPTH:,} deep", raw_deep, "too_deep"),
        ]:
            cases += 1
            strict += carried_out
            response = send(api, method, path, body)
            if problem := problem_with_error(response, code if carried_out else None):
                problems.append(f"{where} with {label}: {problem}")
        if rows := changed(before, every_row()):
            problems.append(f"{where} with poisoned text, keys or nesting changed {rows}")

    print(f"\n{cases} poisoned bodies; {accepted} bidi controls accepted; {strict} strict")
    assert cases > 150, "the schema walk found too few string fields"
    assert strict > 40, "too few valid-looking bodies: the poison cases prove little"
    assert not problems, "\n".join(problems[:40])


@pytest.mark.django_db
def test_every_string_query_and_path_parameter_refuses_a_nul(world: World) -> None:
    api = client(world.tokens["owner"])
    problems: list[str] = []
    cases = 0
    before = every_row()
    for method, template, operation in operations():
        values = steer(world, operation)
        where = f"{method.upper()} {template}"
        for name in string_parameters(operation, "query"):
            cases += 1
            path = f"{fill(template, values)}?{name}=ok%00"
            response = api.generic(method.upper(), path)
            if problem := problem_with_error(response, "invalid", name):
                problems.append(f"{where} ?{name} with a NUL: {problem}")
            cases += 1
            # Invalid UTF-8 (an encoded surrogate) is read as U+FFFD: never a 5xx.
            response = api.generic(method.upper(), f"{fill(template, values)}?{name}=%ed%a0%80")
            if response.status_code >= 500:
                problems.append(f"{where} ?{name} with an encoded surrogate: 500")
        for name in string_parameters(operation, "path"):
            cases += 1
            path = fill(template, {**values, name: f"{values[name]}\x00"})
            if problem := problem_with_error(api.generic(method.upper(), path), "invalid"):
                problems.append(f"{where} {{{name}}} with a NUL: {problem}")
    print(f"\n{cases} poisoned parameters")
    assert cases > 40, "the schema walk found too few string parameters"
    assert not problems, "\n".join(problems[:40])
    assert not changed(before, every_row())
