from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from search import receivers, registry
        from search.documents.members import MemberDocuments

        registry.register(MemberDocuments())
        receivers.connect()
