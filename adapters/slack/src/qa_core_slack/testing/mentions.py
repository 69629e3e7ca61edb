"""Find Slack control sequences that would ping people or disguise links.

Slack parses ``<...>`` in message ``text``, ``mrkdwn`` text objects and attachment fields:
``<!channel>`` pings a whole channel and ``<https://evil|docs.python.org>`` shows a harmless
label for any URL. User text must reach Slack with ``& < >`` escaped (docs/platforms.md 4.1),
so a payload that still carries such a sequence was either written on purpose by the bot (a
test whitelists it) or is an injection. ``plain_text`` objects and ``rich_text`` blocks are
not parsed for these sequences, so they are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

DANGEROUS = re.compile(
    r"<!(?:channel|here|everyone)(?:\|[^>]*)?>"
    r"|<!subteam\^[^>]*>"
    r"|<@[UW][^>]*>"
    r"|<(?:https?://|mailto:)[^>|]*\|[^>]*>"
)

# Keys whose string values Slack renders with mention/link parsing.
_PARSED_KEYS = frozenset(
    {"text", "pretext", "fallback", "title", "footer", "author_name", "initial_comment"}
)
_UNPARSED_TYPES = frozenset({"plain_text", "rich_text"})


@dataclass(frozen=True)
class MentionHit:
    """One dangerous sequence: where it was (source + JSON pointer) and what it was."""

    source: str
    pointer: str
    token: str

    def __str__(self) -> str:
        return f"{self.source} {self.pointer}: {self.token}"


def find_unescaped_mentions(payload: Any, *, source: str = "") -> list[MentionHit]:
    """Every dangerous sequence in the parsed parts of ``payload`` (a message, view, ...)."""
    return list(_walk(payload, "", source))


def assert_no_unescaped_mentions(
    payloads: Iterable[tuple[str, Any]],
    *,
    allow: Iterable[str] = (),
) -> None:
    """Fail if any payload carries a mention/link sequence not listed in ``allow``.

    :param payloads: ``(source label, payload)`` pairs, e.g. from ``FakeSlack.outgoing()``.
    :param allow: exact tokens the bot writes on purpose, e.g. ``{"<@U0ASKER>"}``.
    """
    allowed = set(allow)
    hits = [
        hit
        for source, payload in payloads
        for hit in _walk(payload, "", source)
        if hit.token not in allowed
    ]
    if hits:
        listing = "\n  ".join(str(hit) for hit in hits)
        raise AssertionError(f"unescaped Slack mentions/links in outgoing payloads:\n  {listing}")


def _walk(node: Any, pointer: str, source: str) -> Iterator[MentionHit]:
    if isinstance(node, dict):
        if node.get("type") in _UNPARSED_TYPES:
            return
        for key, value in node.items():
            where = f"{pointer}/{key}"
            if key in _PARSED_KEYS and isinstance(value, str):
                yield from (
                    MentionHit(source, where, m.group(0)) for m in DANGEROUS.finditer(value)
                )
            else:
                yield from _walk(value, where, source)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{pointer}/{index}", source)
