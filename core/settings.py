"""The operator's settings: environment variables, or a ``.env`` file in the working directory.

An environment variable wins over the same name in ``.env``. Every variable is described in
``docs/configuration.md``; a wrong value stops the program with one line naming it.
"""

import logging
import re
from pathlib import Path
from typing import Any, Final

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from core.db.engine import normalise_url
from core.errors import ConfigurationError

DEFAULT_TELEGRAM_API_BASE_URL: Final = "https://api.telegram.org/bot"
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN_SHAPE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")  # "123456789:AAF...", as @BotFather gives
_IN_MEMORY_SQLITE: Final = frozenset({"", ":memory:"})
_ERROR_TYPE: Final = "jxc_configuration"  # our own messages: already one full sentence


def _refuse(message: str) -> PydanticCustomError:
    # A custom error keeps our message whole; a ValueError would be prefixed "Value error, ".
    return PydanticCustomError(_ERROR_TYPE, "{message}", {"message": message})


def default_database_url() -> str:
    """A SQLite file named ``jxc.db`` in the working directory: zero setup."""
    return f"sqlite+aiosqlite:///{Path.cwd() / 'jxc.db'}"


def mask_password(url: str) -> str:
    """The URL with its password replaced by ``***``, fit for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: hide whatever sits between "user:" and "@"
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)


class Settings(BaseSettings):
    """Everything the operator configures; read once at start."""

    model_config = SettingsConfigDict(
        env_file=".env",  # relative: the working directory at the time Settings() is built
        env_file_encoding="utf-8",
        extra="ignore",  # .env may hold other programs' variables too
        populate_by_name=True,
        frozen=True,
    )

    telegram_bot_token: SecretStr | None = None
    database_url: str = Field(default_factory=default_database_url)
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API_BASE_URL
    log_level: str = Field(default="INFO", validation_alias="JXC_LOG_LEVEL")
    webhook_url: str | None = None  # set: a webhook server instead of long polling
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None  # None: generated at start and logged once
    admin_chat_id: int | None = None  # the operator's chat for errors
    # Alert delivery: how often due alerts are looked for, and Telegram's sending limits.
    alert_tick_seconds: float = Field(default=1.0, gt=0, le=3600)
    alert_per_chat_per_second: float = Field(default=1.0, gt=0)
    alert_global_per_second: int = Field(default=30, ge=1)
    alert_group_per_minute: int = Field(default=20, ge=1)
    # Nightly backup of the whole database (jxc-bot run): where to, and how many to keep.
    backup_dir: Path | None = None  # None: no nightly backup
    backup_keep: int = Field(default=7, ge=1)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str):
            return value
        token = value.strip()  # a pasted token often brings a newline or a space along
        if not token:
            return None  # TELEGRAM_BOT_TOKEN= (empty) means not set
        if not _TOKEN_SHAPE.fullmatch(token):  # the message never repeats the secret
            raise _refuse(
                "TELEGRAM_BOT_TOKEN does not look like a bot token: expected digits, a colon "
                "and letters, as @BotFather gives it (no quotes, no 'bot' prefix)"
            )
        return token

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.strip():
            raise _refuse(
                "DATABASE_URL is empty: unset it for the SQLite file jxc.db in the working "
                "directory, or set sqlite+aiosqlite:///path.db or postgresql+asyncpg://..."
            )
        try:
            url = normalise_url(value.strip())
        except ConfigurationError as unsupported:  # its message names DATABASE_URL already
            raise _refuse(str(unsupported)) from unsupported
        if url.startswith("sqlite") and (make_url(url).database or "") in _IN_MEMORY_SQLITE:
            raise _refuse(
                "DATABASE_URL points at an in-memory SQLite database, which is lost when the "
                "program stops: use a file, e.g. sqlite+aiosqlite:///jxc.db"
            )
        return url

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value.strip()):
            raise _refuse(
                f"TELEGRAM_API_BASE_URL must be an http(s) URL such as "
                f"{DEFAULT_TELEGRAM_API_BASE_URL}, not {value!r}"
            )
        return value.strip()

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _https_webhook(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return None
        if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value.strip()):
            raise _refuse(f"WEBHOOK_URL must be an https URL Telegram can reach, not {value!r}")
        return value.strip()

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret_shape(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str) or not value.strip():
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.strip()):
            raise _refuse(
                "WEBHOOK_SECRET may hold only letters, digits, _ and -, 1 to 256 of them "
                "(Telegram's rule for secret_token)"
            )
        return value.strip()

    @field_validator("admin_chat_id", mode="before")
    @classmethod
    def _empty_admin_chat(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("backup_dir", mode="before")
    @classmethod
    def _empty_backup_dir(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise _refuse(
                f"JXC_LOG_LEVEL {value!r} is not a log level: use one of {', '.join(LOG_LEVELS)}"
            )
        return level

    @property
    def log_level_number(self) -> int:
        """The ``logging`` module's number for ``log_level``."""
        return logging.getLevelNamesMapping()[self.log_level]

    @property
    def masked_database_url(self) -> str:
        """``database_url`` without its password, for messages and logs."""
        return mask_password(self.database_url)

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():  # repr() may end up in a log or traceback
            yield name, self.masked_database_url if name == "database_url" else value


def _one_line(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        if item["type"] == _ERROR_TYPE:
            problems.append(item["msg"])
            continue
        variable = ".".join(str(part) for part in item["loc"]).upper() or "settings"
        problems.append(f"{variable}: {item['msg']}")
    return "; ".join(problems)


def load_settings(**overrides: Any) -> Settings:
    """Reads the settings from the environment and ``.env``.

    Args:
        **overrides: values that win over both, by field name (for tests and tools).

    Raises:
        ConfigurationError: a variable has a wrong value; the message is one line naming it.
    """
    try:
        return Settings(**overrides)
    except ValidationError as wrong:
        raise ConfigurationError(_one_line(wrong)) from None  # the chained error shows the input
    except (OSError, UnicodeDecodeError) as unreadable:  # .env is a directory, not UTF-8, ...
        raise ConfigurationError(f"cannot read {Path.cwd() / '.env'}: {unreadable}") from None
