"""Fixtures of the fault suite: real daphne workers, a Redis and a Meilisearch of our own."""

from tests._live import daphne_workers, meili_server, redis_server  # noqa: F401
