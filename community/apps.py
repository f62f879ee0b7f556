from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Networks and forums"

    def ready(self) -> None:
        from community import identity

        identity.connect()
