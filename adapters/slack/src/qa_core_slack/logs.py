"""A logging filter that masks Slack secrets before anything is written.

slack_sdk logs request bodies and whole responses at DEBUG (an ``oauth.v2.access`` answer
holds the access token), and response URLs are bearer capabilities (docs/platforms.md 4.6).
"""

from __future__ import annotations

import logging
import re

SECRET = re.compile(
    r"xox[abpre]-[A-Za-z0-9-]+"  # bot, user, refresh... tokens
    r"|xapp-[A-Za-z0-9-]+"  # app-level tokens
    r"|https://hooks\.slack\.com/\S+"  # response URLs and incoming webhooks
)
MASK = "[redacted]"


def redact(text: str) -> str:
    return SECRET.sub(MASK, text)


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with secrets masked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install(logger: logging.Logger | None = None) -> RedactSecrets:
    """Mask secrets in everything ``logger``'s handlers write (the root logger by default)."""
    target = logger or logging.getLogger()
    found = RedactSecrets()
    if not target.handlers:
        logging.basicConfig(level=logging.INFO)
    for handler in target.handlers:
        handler.addFilter(found)
    return found
