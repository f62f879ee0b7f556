"""Tokens of DRF's authtoken, from before tokens per device, keep working once carried over:
stored as digests from then on, and the plaintext table is gone."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from accounts.models import AuthToken
from tests.factories.users import client_for

pytestmark = pytest.mark.django_db(transaction=True)  # the schema editor needs no open transaction

migration = importlib.import_module("accounts.migrations.0002_carry_over_drf_tokens")
LEGACY_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's 40 hex characters


def make_legacy_table(user: Any) -> None:
    """authtoken_token as DRF's migrations left it, holding one plaintext key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL UNIQUE)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created datetime NOT NULL, user_id integer NOT NULL UNIQUE)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [LEGACY_KEY, timezone.now() - timezone.timedelta(days=400), user.pk],
        )


def test_a_drf_token_keeps_working_once_carried_over_and_only_its_digest_stays(
    member: Any,
) -> None:
    make_legacy_table(member)

    with connection.schema_editor() as editor:
        migration.carry_over_drf_tokens(apps, editor)

    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {LEGACY_KEY}")
    assert client.get("/api/v1/profile/").status_code == 200
    assert "authtoken_token" not in connection.introspection.table_names()
    token = AuthToken.objects.get(user=member)
    assert token.digest != LEGACY_KEY and LEGACY_KEY not in token.digest
    assert token.created < timezone.now() - timezone.timedelta(days=399)
    assert token.expiry is not None and token.expiry > timezone.now()


def test_without_the_legacy_table_the_migration_does_nothing(member: Any) -> None:
    with connection.schema_editor() as editor:
        migration.carry_over_drf_tokens(apps, editor)

    assert not AuthToken.objects.exists()
