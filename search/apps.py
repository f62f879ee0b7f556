from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The engine: the apps register their document types in their own `ready()`."""

    name = "search"
    verbose_name = "Search"
