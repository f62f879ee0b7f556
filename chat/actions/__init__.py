"""Every chat write. `rooms`: rooms, direct conversations, read markers; `messages`:
sending, editing, deleting and reactions; `log`: the per-room event log they share."""
