"""The Celery application: `celery -A charte worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charte.settings")

app = Celery("charte")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
