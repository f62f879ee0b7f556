"""Rewrite every membership's guardian grants in the split vocabulary.

`moderate_network` gives way to `moderate_forums`, `manage_rooms` and `manage_members`
(plus `manage_meetings` and `publish_calls` for moderators, everything for owners). The
bundles are written out here as they stood when this migration was written, so later
changes to `permissions/roles.py` do not rewrite history.
"""

from django.db import migrations

MEMBER = ["read_network", "participate_network"]
MODERATOR = [
    *MEMBER,
    "moderate_forums",
    "manage_rooms",
    "manage_members",
    "manage_meetings",
    "publish_calls",
]
OWNER = [*MODERATOR, "administer_network", "support_projects", "view_insights"]
BUNDLES = {"member": MEMBER, "moderator": MODERATOR, "owner": OWNER}
NAMES = {
    "read_network": "Read the network's forums, rooms and directory",
    "participate_network": "Post and chat in the network",
    "administer_network": "Edit the network, change roles and grant permissions",
    "moderate_forums": "Moderate the network's forums",
    "manage_rooms": "Create and moderate the network's chat rooms",
    "manage_members": "Approve, ban, mute, remove and invite members",
    "manage_meetings": "Organize the network's meetings",
    "publish_calls": "Publish calls in the network",
    "support_projects": "Follow project holders' cases on the support desk",
    "view_insights": "See the network's insights",
}


def regrant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Membership = apps.get_model("community", "Membership")
    Grant = apps.get_model("permissions", "NetworkUserObjectPermission")
    content_type, _ = ContentType.objects.get_or_create(app_label="community", model="network")
    # The old coarse permission and its grants go (the grants by cascade).
    Permission.objects.filter(content_type=content_type, codename="moderate_network").delete()
    ids = {}
    for codename, name in NAMES.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        ids[codename] = permission.pk
    Grant.objects.filter(permission_id__in=ids.values()).delete()
    rows = (
        Grant(user_id=user_id, content_object_id=network_id, permission_id=ids[codename])
        for user_id, network_id, role in Membership.objects.filter(status="active").values_list(
            "user_id", "network_id", "role"
        )
        for codename in BUNDLES[role]
    )
    Grant.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("permissions", "0002_permission_override_no_group_table"),
    ]

    operations = [migrations.RunPython(regrant, migrations.RunPython.noop)]
