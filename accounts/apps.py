from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import deletion, identity, mail, schema, signout  # noqa: F401 - they register

        identity.connect()
        signout.connect_signals()
