"""``qa-bot run slack`` as a real process, in Socket Mode, pointed at the fake by base_url."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from qa_core_slack.testing import FakeSlack
from slack_support import AMA, HOST


async def test_qa_bot_run_slack_serves_socket_mode(fake: FakeSlack, tmp_path: Path) -> None:
    config = tmp_path / "qa.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n\n'
        f'[slack]\nmode = "socket"\nbase_url = "{fake.url}"\nupdate_interval = 0.1\n'
    )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": fake.app_token,
        "QA_CORE_CONFIG": str(config),
    }
    code = "from qa_core.cli import main; main()"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        "run",
        "slack",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.socket_mode.wait_connected(timeout=20)
        request = fake.request_factory().slash_command(
            "/ama", "create From the CLI", user_id=HOST, channel_id=AMA
        )
        ack = await fake.socket_mode.deliver(request)
        assert ack.envelope_id
        await fake.wait_for_call("chat.postMessage", count=2, timeout=10)  # announcement, board
        assert fake.messages(AMA)[0].text == "AMA: From the CLI"
    finally:
        process.terminate()
        _out, err = await asyncio.wait_for(process.communicate(), 10)
    assert b"Traceback" not in err or b"KeyboardInterrupt" in err or b"CancelledError" in err, (
        err.decode()
    )


async def test_qa_bot_run_slack_serves_http_mode(fake: FakeSlack, tmp_path: Path) -> None:
    import socket

    import aiohttp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "qa.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n\n'
        f'[slack]\nmode = "http"\nhost = "127.0.0.1"\nport = {port}\nbase_url = "{fake.url}"\n'
    )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": fake.signing_secret,
        "QA_CORE_CONFIG": str(config),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from qa_core.cli import main; main()",
        "run",
        "slack",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    factory = fake.request_factory()
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):  # wait for the server to listen
                try:
                    request = factory.slash_command(
                        "/ama", "create Over HTTP", user_id=HOST, channel_id=AMA
                    )
                    async with http.post(
                        url, data=request.body.encode(), headers=dict(request.headers)
                    ) as r:
                        status = r.status
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert status == 200
            forged = factory.slash_command(
                "/ama", "create Forged", user_id=HOST
            ).with_bad_signature()
            async with http.post(url, data=forged.body.encode(), headers=dict(forged.headers)) as r:
                assert r.status == 401
        await fake.wait_for_call("chat.postMessage", count=2, timeout=10)
        assert [m.text for m in fake.messages(AMA)][:1] == ["AMA: Over HTTP"]
    finally:
        process.terminate()
        await asyncio.wait_for(process.communicate(), 10)
