import logging
from pathlib import Path

import pytest

from core.errors import ConfigurationError
from core.settings import Settings, load_settings, mask_password

VARIABLES = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE_URL", "JXC_LOG_LEVEL")
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the shell or from a .env of the repository."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_defaults_need_no_setup(tmp_path: Path) -> None:
    settings = load_settings()

    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'jxc.db'}"
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.log_level == "INFO"
    assert settings.log_level_number == logging.INFO


def test_the_default_database_is_in_the_working_directory_at_load_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    assert load_settings().database_url == f"sqlite+aiosqlite:///{elsewhere / 'jxc.db'}"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:pw@db.example/jxc", "postgresql+asyncpg://u:pw@db.example/jxc"),
        ("postgres://u@db.example:5433/jxc", "postgresql+asyncpg://u@db.example:5433/jxc"),
        ("postgresql+asyncpg://u@db.example/jxc", "postgresql+asyncpg://u@db.example/jxc"),
        ("sqlite:////srv/jxc/jxc.db", "sqlite+aiosqlite:////srv/jxc/jxc.db"),
        ("sqlite+aiosqlite:///relative.db", "sqlite+aiosqlite:///relative.db"),
    ],
)
def test_database_urls_are_turned_into_the_async_drivers_url(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)

    assert load_settings().database_url == used


def test_an_unknown_database_scheme_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = refusal(monkeypatch, DATABASE_URL="mysql://x")

    assert message.startswith("DATABASE_URL scheme 'mysql' is not supported")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+aiosqlite://"])
def test_an_in_memory_sqlite_database_is_refused(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    message = refusal(monkeypatch, DATABASE_URL=url)

    assert message.startswith("DATABASE_URL points at an in-memory SQLite database")


def test_an_empty_database_url_is_refused_not_replaced_by_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A deployment meant for PostgreSQL with DATABASE_URL= must not quietly write to a file.
    assert refusal(monkeypatch, DATABASE_URL="").startswith("DATABASE_URL is empty")


@pytest.mark.parametrize("given", ["debug", " Warning ", "ERROR"])
def test_log_levels_are_accepted_in_any_case(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("JXC_LOG_LEVEL", given)

    assert load_settings().log_level == given.strip().upper()


@pytest.mark.parametrize("given", ["LOUD", "10", "NOTSET", ""])
def test_an_unknown_log_level_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    message = refusal(monkeypatch, JXC_LOG_LEVEL=given)

    assert message.startswith(f"JXC_LOG_LEVEL {given!r} is not a log level")
    assert "DEBUG, INFO, WARNING, ERROR, CRITICAL" in message


def test_the_token_is_kept_secret_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", f"  {TOKEN}\n")

    settings = load_settings()

    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_token_counts_as_not_set(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", blank)

    assert load_settings().telegram_bot_token is None


@pytest.mark.parametrize("bad", [f"bot{TOKEN}", f"'{TOKEN}'", "AAHdqTcvCH1vGWJx", f"{TOKEN} x"])
def test_a_malformed_token_is_refused_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    message = refusal(monkeypatch, TELEGRAM_BOT_TOKEN=bad)

    assert message.startswith("TELEGRAM_BOT_TOKEN does not look like a bot token")
    assert "AAHdqTcvCH1vGWJx" not in message


@pytest.mark.parametrize("url", ["http://localhost:8081/bot", "https://tg.example.com/bot"])
def test_a_local_bot_api_server_can_be_used(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", url)

    assert load_settings().telegram_api_base_url == url


@pytest.mark.parametrize("url", ["api.telegram.org/bot", "ftp://x/bot", "https://"])
def test_an_api_base_url_that_is_not_http_is_refused(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    assert refusal(monkeypatch, TELEGRAM_API_BASE_URL=url).startswith(
        "TELEGRAM_API_BASE_URL must be an http(s) URL"
    )


def test_every_wrong_variable_is_named_on_the_same_line(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(monkeypatch, DATABASE_URL="mysql://x", JXC_LOG_LEVEL="LOUD")

    assert "DATABASE_URL" in message
    assert "JXC_LOG_LEVEL" in message


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# operator's settings\n"
        f"TELEGRAM_BOT_TOKEN={TOKEN}\n"
        "DATABASE_URL=postgresql://jxc:pw@db/jxc\n"
        "JXC_LOG_LEVEL=debug\n"
        "SOME_OTHER_PROGRAM=ignored\n",
        encoding="utf-8",
    )

    settings = load_settings()

    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert settings.database_url == "postgresql+asyncpg://jxc:pw@db/jxc"
    assert settings.log_level == "DEBUG"


def test_the_environment_wins_over_the_dotenv_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("JXC_LOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.setenv("JXC_LOG_LEVEL", "ERROR")

    assert load_settings().log_level == "ERROR"


def test_a_wrong_value_in_the_dotenv_file_is_refused_like_one_in_the_environment(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=mysql://x\n", encoding="utf-8")

    with pytest.raises(ConfigurationError, match=r"^DATABASE_URL scheme 'mysql'"):
        load_settings()


def test_an_unreadable_dotenv_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"DATABASE_URL=\xff\xfe\n")

    with pytest.raises(ConfigurationError, match=r"^cannot read .*\.env: .*utf-8"):
        load_settings()


def test_overrides_win_over_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JXC_LOG_LEVEL", "ERROR")

    settings = load_settings(log_level="debug", database_url="postgresql://u@h/d")

    assert (settings.log_level, settings.database_url) == ("DEBUG", "postgresql+asyncpg://u@h/d")


def test_passwords_are_masked_in_messages_and_repr() -> None:
    settings = Settings(database_url="postgresql://jxc:s3cret@db/jxc")

    assert settings.masked_database_url == "postgresql+asyncpg://jxc:***@db/jxc"
    assert "s3cret" not in repr(settings)
    assert mask_password("not a url://jxc:s3cret@db") == "not a url://jxc:***@db"
