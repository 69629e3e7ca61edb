"""OAuth installations and states kept in the core's store, tokens encrypted at rest.

Bolt's ``AsyncInstallationStore`` and ``AsyncOAuthStateStore`` interfaces, backed by the
adapter's key-value state (``tx.put_value``) so a multi-workspace install lives in the same
database as the sessions. Each installation is stored as one Fernet token (AES-128-CBC with
HMAC-SHA256) whose key comes from the environment: the bot, user and refresh tokens are
never on disk in the clear (docs/platforms.md 2.7, 4.6).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from qa_core import Store, Transaction

log = logging.getLogger(__name__)

KEY_ENV = "QA_SLACK_ENCRYPTION_KEY"
_SCOPE = "slack:oauth"


def _scope(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> str:
    if is_enterprise_install or not team_id:
        return f"slack:E:{enterprise_id or '-'}"
    return f"slack:{team_id}"


def _plain(value: object) -> object:
    return value.timestamp() if isinstance(value, datetime) else value


class EncryptedInstallationStore(AsyncInstallationStore):
    """Installations per workspace (latest and per installing user), encrypted with Fernet."""

    def __init__(self, store: Store, key: str | bytes) -> None:
        self.store = store
        self._fernet = Fernet(key)

    @property
    def logger(self) -> logging.Logger:
        return log

    def _seal(self, data: dict[str, Any]) -> str:
        raw = json.dumps({k: _plain(v) for k, v in data.items()})
        return self._fernet.encrypt(raw.encode()).decode()

    def _open(self, sealed: str | None) -> dict[str, Any] | None:
        if sealed is None:
            return None
        try:
            data = json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            log.error("an installation could not be decrypted (wrong %s?)", KEY_ENV)
            return None
        return data if isinstance(data, dict) else None

    async def async_save(self, installation: Installation) -> None:
        scope = _scope(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        sealed = self._seal(installation.to_dict_for_copying())
        bot = installation.to_bot() if installation.bot_token else None
        sealed_bot = self._seal(bot.to_dict_for_copying()) if bot is not None else None

        def work(tx: Transaction) -> None:
            tx.put_value(scope, "installation:latest", sealed)
            tx.put_value(scope, f"installation:{installation.user_id}", sealed)
            if sealed_bot is not None:
                tx.put_value(scope, "bot", sealed_bot)

        await self.store.write(work)

    async def async_save_bot(self, bot: Bot) -> None:
        scope = _scope(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        sealed = self._seal(bot.to_dict_for_copying())
        await self.store.write(lambda tx: tx.put_value(scope, "bot", sealed))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        scope = _scope(enterprise_id, team_id, is_enterprise_install)
        data = self._open(await self.store.read(lambda tx: tx.get_value(scope, "bot")))
        return Bot(**data) if data else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        scope = _scope(enterprise_id, team_id, is_enterprise_install)
        key = f"installation:{user_id}" if user_id else "installation:latest"
        data = self._open(await self.store.read(lambda tx: tx.get_value(scope, key)))
        return Installation(**data) if data else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        scope = _scope(enterprise_id, team_id, False)
        await self.store.write(lambda tx: tx.put_value(scope, "bot", None))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        scope = _scope(enterprise_id, team_id, False)
        key = f"installation:{user_id}" if user_id else "installation:latest"
        await self.store.write(lambda tx: tx.put_value(scope, key, None))

    async def bot_token(self, team_id: str) -> str | None:
        """The workspace's bot token, for the publisher's clients."""
        bot = await self.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot else None


class StoreOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values with an expiry, in the same store."""

    def __init__(
        self, store: Store, *, expiration_seconds: int = 600, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        deadline = self.clock() + self.expiration_seconds
        # expires_at lets `qa-bot purge` drop states that were never used.
        until = datetime.fromtimestamp(deadline, UTC)
        await self.store.write(
            lambda tx: tx.put_value(_SCOPE, f"state:{state}", str(deadline), expires_at=until)
        )
        return state

    async def async_consume(self, state: str) -> bool:
        key = f"state:{state}"

        def work(tx: Transaction) -> bool:
            expires = tx.get_value(_SCOPE, key)
            if expires is None:
                return False
            tx.put_value(_SCOPE, key, None)
            return float(expires) >= self.clock()

        return await self.store.write(work)
