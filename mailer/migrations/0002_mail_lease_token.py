from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mailer", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mail",
            name="lease_token",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
    ]
