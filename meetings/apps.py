from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The search document type, the digests' section, the RSVPs' part of "your data",
        # and the membership hook.
        from meetings import digest, personal_data, search, signals  # noqa: F401

        search.register()
        signals.connect()
