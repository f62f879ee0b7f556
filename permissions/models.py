"""guardian's object-permission tables with a direct foreign key to Network.

Direct keys (instead of guardian's generic content_type + object_pk text column)
make grants joinable and indexable, and deleting a network deletes its grants.
"""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from community.models import Network


class NetworkUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="user_grants"
    )

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission", "content_object"])]


class NetworkGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="group_grants"
    )

    class Meta(GroupObjectPermissionBase.Meta):
        pass
