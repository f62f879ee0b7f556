from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        # Django keeps cache connections in context-local storage, and every websocket
        # consumer runs in its own asyncio task (its own context): left alone, each
        # socket builds its own Redis cache client with its own connection pool — 500
        # sockets, 500 idle Redis connections. Creating the handle here, in the root
        # context every task copies, makes all consumers share one pooled client.
        # (Nothing connects yet: the client opens connections on first use.)
        from django.core.cache import caches

        caches["default"]
