"""The Celery application: `celery -A config worker` runs jobs, `celery -A config beat`
runs `JOBS_SCHEDULE` (its CELERY_* settings are in config/settings.py; core/jobs.py says
which engine runs where)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shabaka")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
