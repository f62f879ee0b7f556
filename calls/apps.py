from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Mobilisation calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The search document type, the digests' section, the applications' part of
        # "your data", and the membership hook.
        from calls import digest, personal_data, search, signals  # noqa: F401

        search.register()
        signals.connect()
