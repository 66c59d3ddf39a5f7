"""The base every clinical record stands on: a public UUID, timestamps, no raw ids in URLs."""

from __future__ import annotations

import uuid

from django.db import models


class BaseModel(models.Model):
    """Public UUID for URLs and the API; integer pk stays internal (STYLE.md, care)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
