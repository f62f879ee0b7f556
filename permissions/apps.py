from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "Per-network permissions"

    def ready(self) -> None:
        post_migrate.connect(create_network_permissions, sender=self)


def create_network_permissions(using: str = "default", **kwargs: Any) -> None:
    """The auth.Permission rows of `permissions.roles.Perm`, after every migrate and flush.

    Django creates the rows of a model's `Meta.permissions` the same way (a post_migrate
    hook), which is why a test database flushed between tests gets them back. Declaring
    them here instead lets `roles.py` stay the one vocabulary while community's models,
    the lower floor, know nothing of it.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    from community.models import Network
    from permissions.roles import PERM_NAMES

    content_type = ContentType.objects.db_manager(using).get_for_model(Network)
    have = set(
        Permission.objects.using(using)
        .filter(content_type=content_type)
        .values_list("codename", flat=True)
    )
    with translation.override(None):  # the rows' names in English, as Django's own
        Permission.objects.using(using).bulk_create(
            Permission(codename=perm.value, name=str(name), content_type=content_type)
            for perm, name in PERM_NAMES.items()
            if perm.value not in have
        )
