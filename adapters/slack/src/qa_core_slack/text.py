"""Slack text: escaping user text for mrkdwn, reading Slack's escaped input, fitting limits.

Pure functions. Slack treats ``&``, ``<`` and ``>`` as control characters in ``mrkdwn`` and
in a message's ``text``; once they are escaped no ``<!channel>``, ``<@U…>`` or
``<https://evil|harmless>`` can survive (docs/platforms.md 4.1, 4.2).
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
TRUNCATED = " … (truncated)"

_CONTROL = re.compile(r"<([^<>]*)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def escape(text: str) -> str:
    """User text made safe for ``mrkdwn``: ``&``, ``<`` and ``>`` as entities, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int, *, marker: str = TRUNCATED) -> str:
    """``text`` cut to ``limit`` characters, with a visible marker when it was cut."""
    if len(text) <= limit:
        return text
    if limit <= len(marker):
        return text[: max(0, limit - 1)] + ELLIPSIS
    return text[: limit - len(marker)].rstrip() + marker


def fit_escaped(text: str, limit: int) -> str:
    """Escape then fit, never cutting an entity in half (``&am`` would show as text)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = fit(escaped, limit)
    body = cut[: len(cut) - len(TRUNCATED)]
    amp = body.rfind("&")
    if amp != -1 and ";" not in body[amp:]:
        body = body[:amp]
    return body + TRUNCATED


def readable(text: str) -> str:
    """What a person typed, from Slack's escaped slash-command text.

    Slack sends ``&lt;`` for ``<`` and wraps mentions and links: ``<@U1|ann>`` becomes
    ``@ann``, ``<#C1|general>`` ``#general``, ``<!channel>`` ``@channel``, and a labelled
    link shows its real address (``label (https://…)``) so it cannot be disguised later.
    """

    def plain(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + (label or target[1:])
        if label and label != target:
            return f"{label} ({target})"
        return target

    out = _CONTROL.sub(plain, text)
    for entity, char in _ENTITIES:
        out = out.replace(entity, char)
    return out
