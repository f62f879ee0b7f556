"""Tokens issued by DRF's authtoken (one per user, plaintext, never expiring) become
knox tokens: the same key keeps working, now stored only as its digest, expiring after
30 days without use like any other. The plaintext table is then dropped, and with it
the `rest_framework.authtoken` app. A fresh database has no such table: nothing to do.
"""

from datetime import UTC, timedelta

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

LEGACY_TABLE = "authtoken_token"


def carry_over_drf_tokens(apps, schema_editor):
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("accounts", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    now = timezone.now()
    for key, user_id, created in rows:
        if isinstance(created, str):  # SQLite hands back text
            created = parse_datetime(created)
        if created is not None and timezone.is_naive(created):
            created = timezone.make_aware(created, UTC)
        token = AuthToken(
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id,
            expiry=now + timedelta(days=30),
            last_used=now,
            name="API token (before tokens per device)",
        )
        token.save()
        if created is not None:  # `created` is auto_now_add: set it after
            AuthToken.objects.filter(pk=token.pk).update(created=created)
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(LEGACY_TABLE)}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(carry_over_drf_tokens, migrations.RunPython.noop)]
