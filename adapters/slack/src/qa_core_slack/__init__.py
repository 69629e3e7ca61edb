"""Slack adapter for qa-core (slack-bolt): ``register(app, engine)`` or ``qa-bot run slack``."""

from __future__ import annotations

from .glue import SlackQA, register
from .installations import EncryptedInstallationStore, StoreOAuthStateStore
from .publisher import Publisher

__all__ = ["EncryptedInstallationStore", "Publisher", "SlackQA", "StoreOAuthStateStore", "register"]
