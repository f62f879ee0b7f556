"""Settings of background jobs and mail (imported by config/settings.py, whose
TESTING and REDIS_URL it reads from the same environment)."""

from __future__ import annotations

import os

from config.env import env_bool

TESTING = env_bool("SHABAKA_TESTING", False)
REDIS_URL = os.environ.get("REDIS_URL", "")

# Where jobs run (core/jobs.py): Celery workers on Redis when REDIS_URL is set, else a
# thread in each web process; tests queue them and run them themselves.
JOBS_ENGINE = os.environ.get(
    "JOBS_ENGINE", "manual" if TESTING else ("celery" if REDIS_URL else "thread")
)
# Periodic jobs, run by `celery -A config beat` or by the embedded engine's thread.
JOBS_SCHEDULE: dict[str, dict[str, object]] = {
    # Mail a lost job or a dead worker left behind, and retries whose backoff has passed.
    "mail-sweep": {"task": "mailer.tasks.sweep", "every": 30},
    # Direct-message notifications whose delayed check a crash or a restart dropped.
    "direct-message-sweep": {"task": "chat.tasks.sweep_direct_messages", "every": 60},
    # Instant notification mail, each gathering 2 minutes of notifications (issue 13).
    "notifications-gather": {"task": "notifications.tasks.gather_mail", "every": 30},
    # Digests of those who are due (a period after their last one).
    "notifications-daily-digests": {"task": "notifications.tasks.daily_digests", "every": 600},
    "notifications-weekly-digests": {"task": "notifications.tasks.weekly_digests", "every": 1800},
    # The day-before reminders of meetings (meetings/reminders.py): each once.
    "meetings-reminders": {"task": "meetings.tasks.send_reminders", "every": 300},
}
# JOBS_EVERY_<NAME> (MAIL_SWEEP for "mail-sweep") sets a schedule's interval in seconds.
for _name, _entry in JOBS_SCHEDULE.items():
    _every = os.environ.get("JOBS_EVERY_" + _name.upper().replace("-", "_"))
    if _every:
        _entry["every"] = float(_every)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
# Acknowledged once run, given back if the worker dies mid-way, one at a time per process;
# an unacknowledged job returns after visibility_timeout (longer than any countdown used).
CELERY_TASK_ACKS_LATE = CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
    "global_keyprefix": os.environ.get(
        "CELERY_PREFIX", os.environ.get("CHANNEL_PREFIX", "shabaka")
    ),
}
CELERY_BEAT_SCHEDULE = {
    name: {"task": entry["task"], "schedule": float(entry["every"])}  # type: ignore[arg-type]
    for name, entry in JOBS_SCHEDULE.items()
}

# How long after a direct message its recipient, if they have no open socket and have
# not read it by then, is notified (chat/actions/notify.py), in seconds.
DIRECT_MESSAGE_NOTIFY_DELAY = float(os.environ.get("DIRECT_MESSAGE_NOTIFY_DELAY", "30"))

# Django's mail settings from the environment; no EMAIL_HOST means the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS, EMAIL_USE_SSL = (
        env_bool("EMAIL_USE_TLS", False),
        env_bool("EMAIL_USE_SSL", False),
    )
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Shabaka <no-reply@shabaka.localhost>")
# How long a delivering worker holds a mail before another may take it (it died).
MAIL_LEASE_SECONDS = int(os.environ.get("MAIL_LEASE_SECONDS", "300"))
