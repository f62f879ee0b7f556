from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "community.forums"
    label = "forums"
    verbose_name = "Forums"

    def ready(self) -> None:
        from community.forums import personal_data, search  # noqa: F401 - personal_data registers

        search.register()
