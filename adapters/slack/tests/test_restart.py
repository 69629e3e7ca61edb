"""A restarted bot on the same database: old buttons still work, old messages are still edited."""

from __future__ import annotations

import json
from pathlib import Path

from qa_core_slack.testing import FakeSlack
from slack_support import (
    AMA,
    MOD,
    Clock,
    card_for,
    public_for,
    setup_ama,
    start_harness,
    stop_harness,
)


async def test_buttons_and_messages_survive_a_restart(
    fake: FakeSlack, clock: Clock, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'qa.db'}"
    first = await start_harness(fake, clock, tmp_path, "socket", database=database)
    try:
        await setup_ama(first)
        await first.slash("ask Will this card still work after a restart?", user="U0001")
        card = card_for(first, 1)
    finally:
        await stop_harness(first)

    second = await start_harness(fake, clock, tmp_path, "http", database=database)
    try:
        await second.click(card, "qa:approve:1", user=MOD)  # a button posted by the first run
        public = public_for(second, 1)
        await second.click(public, "qa:vote:1", user="U0002")
        assert "(1)" in json.dumps(public_for(second, 1).blocks)
        assert card_for(second, 1).edits >= 1  # the first run's card, edited by the second
        assert len([m for m in second.messages(AMA) if m.text.startswith("AMA:")]) == 1
        board = second.messages(AMA)[1]
        assert board.edits >= 1 and "Will this card" in json.dumps(board.blocks)
    finally:
        await stop_harness(second)
