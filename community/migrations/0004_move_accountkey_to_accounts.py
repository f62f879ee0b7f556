# AccountKey moves to the accounts app (accounts/migrations/0003_accountkey.py) without
# touching the database: only the migration state forgets it here; its table,
# community_accountkey, stays as it is and accounts' model names it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0003_account_key'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AccountKey')],
            database_operations=[],
        ),
    ]
