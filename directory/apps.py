from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Member directory"

    def ready(self) -> None:
        from directory import personal_data, search  # noqa: F401 - personal_data registers

        search.register()
