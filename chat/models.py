"""Rooms, messages, the per-room event log, reactions and read markers.

The event log (`RoomEvent`) is the source of truth for real-time delivery: every
change to a room is committed there with a gapless per-room `seq` before anything
is broadcast, and a client that reconnects replays the log after the last `seq` it
saw. The channel layer is only the doorbell.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Network


class Room(models.Model):
    class Kind(models.TextChoices):
        CHANNEL = "channel", _("Channel")
        DIRECT = "direct", _("Direct messages")

    class Posting(models.TextChoices):
        ALL = "all", _("Every member")
        MODERATORS = "moderators", _("Moderators only")

    # Channel rooms belong to a network; direct rooms belong to their two users.
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.CASCADE, related_name="rooms"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CHANNEL)
    name = models.CharField(max_length=80, blank=True)
    slug = models.SlugField(max_length=80, blank=True, allow_unicode=True)
    topic = models.CharField(max_length=250, blank=True)
    posting = models.CharField(max_length=16, choices=Posting.choices, default=Posting.ALL)
    archived = models.BooleanField(default=False)
    # Direct rooms: the pair, lower user id first, so one pair maps to one row.
    user_low = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user_high = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The last event's seq; incremented under a row lock by every room change.
    seq = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # Not a column: the reader's unread count, annotated by chat.queries.with_unread.
    unread: int

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "slug"],
                condition=Q(kind="channel"),
                name="room_unique_slug_per_network",
            ),
            models.UniqueConstraint(
                fields=["user_low", "user_high"],
                condition=Q(kind="direct"),
                name="room_unique_direct_pair",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="channel", network__isnull=False, user_low__isnull=True)
                    | Q(
                        kind="direct",
                        network__isnull=True,
                        user_low__isnull=False,
                        user_high__isnull=False,
                        user_low__lt=models.F("user_high"),
                    )
                ),
                name="room_kind_shape",
            ),
        ]
        indexes = [models.Index(fields=["network", "name", "id"])]

    def __str__(self) -> str:
        if self.kind == self.Kind.DIRECT:
            return f"direct {self.user_low_id}–{self.user_high_id}"
        return self.name

    @property
    def is_direct(self) -> bool:
        return self.kind == self.Kind.DIRECT

    def has_participant(self, user_id: int) -> bool:
        return user_id in (self.user_low_id, self.user_high_id)


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    body = models.TextField()
    body_html = models.TextField()
    # Chosen by the client so that a retried send never creates a second message.
    client_id = models.CharField(max_length=64, blank=True)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The seq of the room event that created the message: read markers and unread counts.
    seq = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=~Q(client_id=""),
                name="message_unique_client_id",
            ),
        ]
        indexes = [models.Index(fields=["room", "seq"]), models.Index(fields=["room", "id"])]

    def __str__(self) -> str:
        return f"message {self.pk} in room {self.room_id}"


class RoomEvent(models.Model):
    """One change to a room: the frame clients receive, stored for replay.

    A frame shows its message as it is now, not as it was when sent: editing or
    deleting a message rewrites every frame of it (`chat.actions.log`).
    """

    class Type(models.TextChoices):
        MESSAGE_NEW = "message.new"
        MESSAGE_EDITED = "message.edited"
        MESSAGE_DELETED = "message.deleted"
        REACTION_ADDED = "reaction.added"
        REACTION_REMOVED = "reaction.removed"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=32, choices=Type.choices)
    payload = models.JSONField()
    # The message the event is about (indexed): an edit or a deletion rewrites the
    # message's earlier frames through it, so the log holds only its current state.
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="room_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} in room {self.room_id}"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "emoji"], name="reaction_unique_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on {self.message_id}"


class ReadMarker(models.Model):
    """How far a user has read a room; messages after it by others are unread."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="read_markers")
    last_read_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "room"], name="read_marker_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read room {self.room_id} to {self.last_read_seq}"
