"""Each room event names its message, and the frames stored before that show their
message's current state: an edited message's old text and a deleted message's words
and reactions leave the log (issue #11)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000
MESSAGE_TYPES = ("message.new", "message.edited", "message.deleted")
REACTION_TYPES = ("reaction.added", "reaction.removed")


def _message_id(payload: dict[str, Any]) -> int | None:
    message = payload.get("message")
    value = message.get("id") if isinstance(message, dict) else message
    return value if isinstance(value, int) else None


def rewrite_stored_frames(apps: Any, schema_editor: Any) -> None:
    """Fill in each event's message, then rewrite the frames of edited and deleted messages.

    Every message frame was built from the message as it was when sent, so the latest
    frame of a message shows its current state (body, or none once deleted): the earlier
    ones take that. Only JSON is moved, no application code runs, so this stays right
    whatever the code of later versions does.
    """
    RoomEvent = apps.get_model("chat", "RoomEvent")
    Message = apps.get_model("chat", "Message")
    last = 0
    while True:
        rows = list(
            RoomEvent.objects.filter(pk__gt=last, message__isnull=True)
            .order_by("pk")
            .only("pk", "payload")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1].pk
        existing = set(
            Message.objects.filter(
                pk__in={_message_id(row.payload) for row in rows} - {None}
            ).values_list("pk", flat=True)
        )
        changed = []
        for row in rows:
            message_id = _message_id(row.payload)
            if message_id in existing:
                row.message_id = message_id
                changed.append(row)
        RoomEvent.objects.bulk_update(changed, ["message"])

    touched = Message.objects.filter(models.Q(deleted=True) | models.Q(edited_at__isnull=False))
    for message_id, deleted in touched.values_list("pk", "deleted").iterator(chunk_size=BATCH):
        frames = list(RoomEvent.objects.filter(message_id=message_id).order_by("seq"))
        current = next(
            (f.payload["message"] for f in reversed(frames) if f.type in MESSAGE_TYPES), None
        )
        if current is None:
            continue
        current = dict(current)
        if deleted:
            current.update(body="", body_html="", deleted=True)
        for frame in frames:
            own = {"type": frame.type, "room": frame.room_id, "seq": frame.seq}
            if frame.type in MESSAGE_TYPES:
                frame.payload = {**own, "message": current}
            elif deleted:
                frame.payload = {**own, "message": message_id, "emoji": None, "user": None}
        RoomEvent.objects.bulk_update(frames, ["payload"])
    # Reactions of deleted messages go too: the history shows none for them.
    apps.get_model("chat", "Reaction").objects.filter(message__deleted=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="roomevent",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="chat.message",
            ),
        ),
        migrations.RunPython(rewrite_stored_frames, migrations.RunPython.noop, elidable=True),
    ]
