from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Networks and forums"

    def ready(self) -> None:
        from community import personal_data  # noqa: F401 - the archive's and erasure's part
