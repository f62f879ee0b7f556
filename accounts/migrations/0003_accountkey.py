# AccountKey, made by community/migrations/0003_account_key.py, now belongs to accounts:
# the state learns it here, on its existing table (db_table), and the database is left
# as it is (community/migrations/0004_move_accountkey_to_accounts.py forgot it there).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_carry_over_drf_tokens'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('community', '0004_move_accountkey_to_accounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AccountKey',
                    fields=[
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='account_key', serialize=False, to=settings.AUTH_USER_MODEL)),
                        ('username_key', models.TextField(null=True, unique=True)),
                        ('email_key', models.TextField(null=True, unique=True)),
                    ],
                    options={
                        'db_table': 'community_accountkey',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
