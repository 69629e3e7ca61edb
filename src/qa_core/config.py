"""Configuration: a TOML file (``--config`` or ``QA_CORE_CONFIG``), secrets from the environment.

Every mistake is reported with its key, all at once, so one ``qa-bot config check`` run
is enough to fix a file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import cattrs

from .errors import QaError
from .models import SessionSettings

CONFIG_ENV = "QA_CORE_CONFIG"
DATABASE_ENV = "QA_CORE_DATABASE_URL"

# Flagged for a moderator, never dropped: a filter this blunt must not decide alone.
DEFAULT_BLOCKED_WORDS = (
    "idiot",
    "idiots",
    "moron",
    "stupid",
    "dumb",
    "shut up",
    "loser",
    "scum",
    "fuck",
    "fucking",
    "shit",
    "bullshit",
    "bastard",
    "asshole",
    "bitch",
    "crap",
    "retard",
    "kill yourself",
)


def _unit_interval(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be between 0 and 1, not {value}")


@attrs.frozen
class DatabaseConfig:
    url: str = "sqlite:///qa-core.db"


@attrs.frozen
class ScreeningConfig:
    blocked_words: tuple[str, ...] = DEFAULT_BLOCKED_WORDS
    duplicate_threshold: float = attrs.field(default=0.45, validator=_unit_interval)


@attrs.frozen
class PluginsConfig:
    block: tuple[str, ...] = ()
    load_entrypoints: bool = True


@attrs.frozen
class Config:
    database: DatabaseConfig = DatabaseConfig()
    defaults: SessionSettings = SessionSettings()
    screening: ScreeningConfig = ScreeningConfig()
    plugins: PluginsConfig = PluginsConfig()
    # [discord], [slack]...: each installed runner's own table, checked by that runner
    platforms: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)

    def platform(self, name: str) -> Mapping[str, Any]:
        return self.platforms.get(name, {})


class ConfigError(QaError):
    """A configuration file with mistakes; ``problems`` names each with its key."""

    code = "config_error"

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


def _converter() -> cattrs.Converter:
    return cattrs.Converter(forbid_extra_keys=True)


def _problems(cls: type[Any], data: object, path: str) -> list[str]:
    """Every mistake in ``data`` for the attrs class ``cls``, each named by its dotted key.

    Fields are checked one by one (type, then validator) so that one bad value does not
    hide the next, as structuring the whole class at once would.
    """
    where = path or "(top level)"
    if not isinstance(data, Mapping):
        return [f"{where}: expected a table, got {data!r}"]
    fields = {f.name: f for f in attrs.fields(attrs.resolve_types(cls)) if f.name != "platforms"}
    problems = [f"{path}.{key}".lstrip(".") + ": unknown key" for key in data if key not in fields]
    defaults = cls()
    for name, field in fields.items():
        if name not in data:
            continue
        key = f"{path}.{name}".lstrip(".")
        if attrs.has(field.type):
            problems += _problems(field.type, data[name], key)
            continue
        try:
            value = _converter().structure(data[name], field.type)
            if field.validator is not None:
                field.validator(defaults, field, value)
        except (cattrs.BaseValidationError, ValueError, TypeError) as error:
            problems.append(f"{key}: {_reason(error, data[name])}")
    return problems


def _reason(error: Exception, value: object) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        return f"invalid value {value!r}: " + "; ".join(
            m.rpartition(" @ ")[0] for m in cattrs.transform_error(error)
        )
    return str(error)


def parse_config(data: Mapping[str, object], source: str = "config") -> Config:
    from .runners import installed_runners

    runners = installed_runners()
    core = {k: v for k, v in data.items() if k not in runners}
    platforms: dict[str, Mapping[str, Any]] = {}
    problems = _problems(Config, core, "")
    for name, section in data.items():
        if name not in runners:
            continue
        if not isinstance(section, Mapping):
            problems.append(f"{name}: expected a table")
            continue
        platforms[name] = section
        problems += [f"{name}.{problem}" for problem in runners[name].load().check(section)]
    if not problems:
        try:
            config = _converter().structure(dict(core), Config)
            return attrs.evolve(config, platforms=platforms)
        except (cattrs.BaseValidationError, ValueError, TypeError) as error:
            problems = [_reason(error, data)]  # a rule across fields, e.g. max below min
    raise ConfigError(source, problems)


def load_config(path: str | Path | None = None, env: Mapping[str, str] = os.environ) -> Config:
    """Read the file at ``path`` (else ``$QA_CORE_CONFIG``; else defaults), then the environment."""
    path = path or env.get(CONFIG_ENV)
    config = Config()
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(str(path), ["file not found"]) from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(str(path), [f"not valid TOML: {error}"]) from None
        config = parse_config(data, str(path))
    if url := env.get(DATABASE_ENV):
        config = attrs.evolve(config, database=DatabaseConfig(url=url))
    return config
