from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from chat import personal_data, search  # noqa: F401 - personal_data registers

        search.register()
