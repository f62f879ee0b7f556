"""When a credential ends, the sockets it opened close, on every process (code 4403).

Each socket knows the credential it was opened with (realtime.auth): `t<id>` for an
API token, `s<hash>` for a session (a hash of the session key, so the key itself
travels in no event). The end of a credential is told to the user's group
(`user.<id>`, which every socket of the user joins on every process) as
`accounts.signed_out {credential}`; each socket of the user compares it with its own
and closes on a match. A credential of None means all of them: a password change,
a deactivated or deleted account. One event per sign-out, reaching only that user's
few sockets: no group per credential to join, refresh and leave on every connect.

The ends are caught where every path to them passes, not in each view:

- sign-out of a session: Django's `user_logged_out` (the web page, the API logout,
  the admin's own);
- a token revoked: the token row's deletion (logout, the tokens API, the account
  page, the admin, knox's expiry clean-up, eviction past the per-person cap);
- a password change: a user saved with a new password (set_password then save —
  the admin's form, `changepassword`, a reset). Django signs the other sessions out
  by their auth hash; the user's tokens are revoked here as well, so that no
  credential made with the old password outlives it (a password-hash upgrade at
  sign-in is not a change: Django clears `_password` for it);
- a deactivation: a user saved with is_active False (tokens stay, refused while
  inactive); a deletion.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save

from accounts.models import AuthToken
from core.events import send_event_on_commit, user_group

SIGNED_OUT = "accounts.signed_out"


def token_credential(token_id: int) -> str:
    return f"t{token_id}"


def session_credential(session_key: str) -> str:
    return "s" + hashlib.blake2b(session_key.encode(), digest_size=12).hexdigest()


def close_sockets(user_id: int, credential: str | None) -> None:
    """After commit, close the user's sockets opened with `credential` (None: all of them)."""
    send_event_on_commit(user_group(user_id), {"type": SIGNED_OUT, "credential": credential})


def _session_ended(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if user is not None and user.pk is not None and key:
        close_sockets(user.pk, session_credential(key))


def _token_deleted(sender: Any, instance: AuthToken, **kwargs: Any) -> None:
    close_sockets(instance.user_id, token_credential(instance.pk))


def _user_saved(
    sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created:
        return
    fields = set(update_fields) if update_fields is not None else None
    password_changed = getattr(instance, "_password", None) is not None
    if password_changed and (fields is None or "password" in fields):
        AuthToken.objects.filter(user=instance).delete()
        close_sockets(instance.pk, None)
    elif not instance.is_active and (fields is None or "is_active" in fields):
        close_sockets(instance.pk, None)


def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    close_sockets(instance.pk, None)


def connect_signals() -> None:
    user_model = get_user_model()
    user_logged_out.connect(_session_ended, dispatch_uid="accounts.session_ended")
    post_delete.connect(_token_deleted, sender=AuthToken, dispatch_uid="accounts.token_deleted")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="accounts.user_saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="accounts.user_deleted")
