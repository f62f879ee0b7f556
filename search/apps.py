from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from search import receivers, registry
        from search.documents.chat import MessageDocuments
        from search.documents.forums import PostDocuments, TopicDocuments
        from search.documents.members import MemberDocuments

        registry.register(MemberDocuments())
        registry.register(TopicDocuments())
        registry.register(PostDocuments())
        registry.register(MessageDocuments())
        receivers.connect()
