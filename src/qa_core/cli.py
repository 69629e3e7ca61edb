"""``qa-bot``: the operator's command line. It acts on the database directly, as an operator."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, TypeVar

import attrs
import click

from .app import build_engine
from .config import Config, ConfigError, load_config
from .describe import describe
from .engine import Engine
from .errors import QaError
from .importing import import_transcript
from .models import Actor, Role, UserRef
from .replay import DEFAULT_TENANT, ReplayClock, ReplayError, ReportLine, replay

T = TypeVar("T")


@attrs.frozen
class _State:
    config_path: str | None
    database: str | None

    def config(self) -> Config:
        config = load_config(self.config_path)
        if self.database:
            config = attrs.evolve(config, database=attrs.evolve(config.database, url=self.database))
        return config


def redact_url(url: str) -> str:
    """A database URL with its password masked, fit to print."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def operator(tenant: str) -> Actor:
    """Whoever runs qa-bot has the database, so acts with host rights in the session's tenant."""
    return Actor(UserRef(tenant, "qa-bot"), "qa-bot", frozenset({Role.HOST, Role.MODERATOR}))


def _run(state: _State, work: Callable[[Engine], Awaitable[T]], **engine_args: object) -> T:
    async def main() -> T:
        engine = build_engine(state.config(), **engine_args)  # type: ignore[arg-type]
        await engine.start()
        try:
            return await work(engine)
        finally:
            await engine.stop()

    try:
        return asyncio.run(main())
    except (QaError, ConfigError) as error:
        raise click.ClickException(str(error)) from None


async def _tenant_of(engine: Engine, session_id: int) -> str:
    session = await engine.store.read(lambda tx: tx.session(session_id))
    if session is None:
        raise click.ClickException(f"There is no session {session_id}.")
    return session.tenant


async def _export(engine: Engine, session_id: int, fmt: str, tenant: str | None = None) -> str:
    exporter = engine.hooks.exporters.get(fmt)
    if exporter is None:
        known = ", ".join(sorted(engine.hooks.exporters))
        raise click.ClickException(f"Unknown format {fmt!r}; known: {known}.")
    actor = operator(tenant or await _tenant_of(engine, session_id))
    transcript = await engine.views.transcript(session_id, actor, full=exporter.full)
    return exporter.render(transcript)


def _name(stream: IO[str]) -> str:
    return str(getattr(stream, "name", "script"))


def _write(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


@click.group()
@click.option(
    "--config",
    "config_path",
    envvar="QA_CORE_CONFIG",
    type=click.Path(dir_okay=False),
    help="TOML configuration file (default: $QA_CORE_CONFIG).",
)
@click.option("--database", help="Database URL, overriding the configuration.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, database: str | None) -> None:
    """Run and inspect moderated AMA sessions."""
    ctx.obj = _State(config_path, database)


@main.command()
@click.option("--tenant", help="Only this tenant's sessions, e.g. discord:1234.")
@click.pass_obj
def sessions(state: _State, tenant: str | None) -> None:
    """List sessions, newest first."""

    async def work(engine: Engine) -> None:
        found = await engine.store.read(lambda tx: tx.sessions(tenant))
        if not found:
            click.echo("No sessions.")
        for s in found:
            total = sum((await engine.views.summary(s.id, operator(s.tenant))).counts.values())
            click.echo(
                f"{s.id:>5}  {s.state.value:<9}  {s.tenant:<24}  {total:>6} questions  {s.title}"
            )

    _run(state, work)


@main.command()
@click.argument("session_id", type=int)
@click.option(
    "--format", "fmt", default="md", show_default=True, help="md, json, csv, or a plugin's."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_obj
def export(state: _State, session_id: int, fmt: str, out: Path | None) -> None:
    """Export a session's transcript."""
    _write(_run(state, lambda engine: _export(engine, session_id, fmt)), out)


@main.command()
@click.argument("session_id", type=int)
@click.option("--after", default=0, help="Start after this sequence number.")
@click.option("--limit", default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line.")
@click.pass_obj
def audit(state: _State, session_id: int, after: int, limit: int, as_json: bool) -> None:
    """Print a session's audit log: who did what, when, and why."""
    from .serialization import event_to_dict

    async def work(engine: Engine) -> None:
        actor = operator(await _tenant_of(engine, session_id))
        for entry in await engine.views.audit(session_id, actor, after=after, limit=limit):
            event = entry.event
            if as_json:
                click.echo(
                    json.dumps({"seq": entry.seq, **event_to_dict(event)}, ensure_ascii=False)
                )
            else:
                when = event.at.strftime("%Y-%m-%d %H:%M:%S")
                click.echo(f"{entry.seq:>6}  {when}  {event.actor.name:<20}  {describe(event)}")

    _run(state, work)


@main.command("replay")
@click.argument("script", type=click.File("r", encoding="utf-8"))
@click.option("--report", is_flag=True, help="Also print what became of each command.")
@click.option("--format", "fmt", default="md", show_default=True, help="Transcript format.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the transcript here."
)
@click.option(
    "--tenant", default=DEFAULT_TENANT, show_default=True, help="Tenant of the script's sessions."
)
@click.pass_obj
def replay_command(
    state: _State,
    script: IO[str],
    report: bool,
    fmt: str,
    out: Path | None,
    tenant: str,
) -> None:
    """Run a scripted AMA (docs/replay.md), then print its transcript."""
    clock = ReplayClock()

    def show(line: ReportLine) -> None:
        mark = "  " if line.ok else "✗ "
        click.echo(f"{mark}line {line.line:>3}  {line.actor:<22} {line.command:<9} {line.result}")

    async def work(engine: Engine) -> str:
        try:
            ran = await replay(
                engine, script, clock, tenant=tenant, on_line=show if report else None
            )
        except ReplayError as error:
            raise click.ClickException(
                f"{_name(script)}: {error} (the lines before it were kept)"
            ) from None
        if ran.last_session is None:
            raise click.ClickException(f"{_name(script)}: the script created no session.")
        if report:
            click.echo("")
        return await _export(engine, ran.last_session, fmt, tenant)

    _write(_run(state, work, clock=clock), out)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_command(state: _State, file: Path) -> None:
    """Import a JSON transcript (from export --format json) as a new session."""

    async def work(engine: Engine) -> int:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise click.ClickException(f"{file}: not valid JSON: {error}") from None
        return await import_transcript(engine.store, data)

    session_id = _run(state, work)
    click.echo(f"imported {file} as session {session_id}")


@main.command("run")
@click.argument("platform")
@click.pass_obj
def run_command(state: _State, platform: str) -> None:
    """Run the bot on PLATFORM (discord, slack: whichever adapters are installed)."""
    from .runners import load_runner

    try:
        config = state.config()
        load_runner(platform).run(config, config.platform(platform))
    except (QaError, ConfigError) as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.option("--keep-days", default=2.0, show_default=True, help="Days of memory to keep.")
@click.pass_obj
def purge(state: _State, keep_days: float) -> None:
    """Forget old idempotency records and expired adapter state (run it daily)."""
    from datetime import timedelta

    gone = _run(state, lambda engine: engine.purge(timedelta(days=keep_days)))
    click.echo(f"forgot {gone} record(s)")


@main.group()
def config() -> None:
    """Check the configuration."""


@config.command()
@click.pass_obj
def check(state: _State) -> None:
    """Validate the configuration file and name every mistake with its key."""
    try:
        loaded = state.config()
    except ConfigError as error:
        click.echo(f"{error.source}: {len(error.problems)} problem(s)", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    source = state.config_path or "(no file: defaults)"
    click.echo(f"{source}: OK (database {redact_url(loaded.database.url)})")
