from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Member directory"

    def ready(self) -> None:
        from directory import search

        search.register()
