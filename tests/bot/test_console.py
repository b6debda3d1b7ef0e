"""``jxc-bot console``: the real bot in a terminal, driven here by scripted lines."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram.ext import MessageHandler, filters
from typer.testing import CliRunner

from bot import cli
from bot.app import build_application
from bot.console import Console, ConsoleBotApi, ConsoleUser, chat, plain_text
from bot.context import BotResources
from core.db.engine import Database
from core.settings import load_settings
from core.tenancy.models import Business, Member
from tests.bot.harness import Clock
from tests.support.shop import open_shop

SETTINGS = load_settings(database_url="sqlite+aiosqlite:///unused.db")


async def converse(
    db: Database, script: str, tmp_path: Path, *, user_id: int = 1, language: str = "en"
) -> str:
    out = io.StringIO()
    await chat(
        SETTINGS,
        db,
        user=ConsoleUser(user_id=user_id, language_code=language, first_name="Wang"),
        stdin=io.StringIO(script),
        out=out,
        files_dir=tmp_path / "console-files",
        resources=BotResources(db=db, clock=Clock()),
    )
    return out.getvalue()


async def test_a_newcomer_opens_a_business_in_the_console(db: Database, tmp_path: Path) -> None:
    transcript = await converse(db, "/start\nWang's Hardware\n#1\n/quit\n", tmp_path, user_id=7)

    assert "you are Telegram user 7 (Wang)" in transcript
    assert "type #1 to press [1]" in transcript
    assert "you › /start\nbot › " in transcript  # the script is echoed like typing
    assert "What is it called?" in transcript
    assert "[1] ✓ CNY, Asia/Shanghai" in transcript  # buttons numbered
    assert "Wang's Hardware is open (CNY, Asia/Shanghai)" in transcript  # <b> and &#x27; gone
    assert "<b>" not in transcript
    assert "[a] 📥 Purchase  [b] 📤 Sale" in transcript  # the main menu, lettered
    async with db.reads() as session:
        business = await session.scalar(select(Business))
        member = await session.scalar(select(Member))
    assert business is not None and business.name == "Wang's Hardware"
    assert member is not None and (member.user_id, member.role) == (7, "owner")


async def test_a_chinese_newcomer_is_served_in_chinese_and_the_greeting_too(
    db: Database, tmp_path: Path
) -> None:
    transcript = await converse(db, "/start\n老王五金店\n#3\n#1\n", tmp_path, language="zh")

    assert "你是 Telegram 用户 1（Wang）" in transcript
    assert "输入 #1 就是按 [1]" in transcript
    assert "叫什么名字" in transcript
    assert "[3] HKD" in transcript
    assert "老王五金店 已开张（HKD，" in transcript  # #3 chose HKD, then #1 the first zone
    assert "[a] 📥 采购入库" in transcript
    assert transcript.endswith("you › \n")  # end of input (Ctrl-D) leaves


async def test_menu_keys_and_the_key_listing(db: Database, tmp_path: Path) -> None:
    await open_shop(db, owner_id=1)

    transcript = await converse(db, "/start\n#\n#f\n#99\n#z\n/quit\n", tmp_path)

    assert "What would you like to do?" in transcript
    assert "you › #f\nyou › ☰ More\nbot › More:" in transcript  # the key sends its label
    assert "No button #99." in transcript
    assert "No menu key #z." in transcript
    assert transcript.count("[a] 📥 Purchase") >= 3  # shown with /start, by "#", after #z


async def test_a_number_without_hash_is_text_for_the_bot_not_a_press(
    sqlite_db: Database, tmp_path: Path
) -> None:
    transcript = await converse(sqlite_db, "/start\n1\n/quit\n", tmp_path, user_id=9)

    # "1" is the business name: a typed number (a quantity, a name) is never a press
    assert "you › 1\nbot › 1" in transcript
    assert "is open" not in transcript


async def test_files_the_bot_sends_are_saved_and_named(
    sqlite_db: Database, tmp_path: Path
) -> None:
    api = ConsoleBotApi()
    settings = load_settings(
        telegram_bot_token="1:AAconsole", database_url="sqlite+aiosqlite:///unused.db"
    )
    application = build_application(settings, sqlite_db, request=api, rate_limited=False)
    out = io.StringIO()
    console = Console(application, api, ConsoleUser(user_id=5), out, files_dir=tmp_path / "f")
    await application.initialize()
    try:
        await application.bot.send_document(
            5, document=b"sku,qty\nA001,3\n", filename="stock.csv", caption="<b>Stock</b>"
        )
        await application.bot.send_document(5, document=b"again", filename="stock.csv")
    finally:
        await application.shutdown()

    assert (tmp_path / "f" / "stock.csv").read_bytes() == b"sku,qty\nA001,3\n"
    assert (tmp_path / "f" / "stock-1.csv").read_bytes() == b"again"
    text = out.getvalue()
    assert "bot › Stock\n" in text
    assert f"📎 file saved: {tmp_path / 'f' / 'stock.csv'}" in text
    assert console.styled is False


async def test_sending_a_file_that_is_not_there_says_so(
    sqlite_db: Database, tmp_path: Path
) -> None:
    transcript = await converse(sqlite_db, "#file /nonexistent/count.csv\n/quit\n", tmp_path)

    assert "No such file: /nonexistent/count.csv" in transcript


async def test_a_file_sent_from_the_console_reaches_the_bot_downloadable(
    sqlite_db: Database, tmp_path: Path
) -> None:
    api = ConsoleBotApi()
    settings = load_settings(
        telegram_bot_token="1:AAconsole", database_url="sqlite+aiosqlite:///unused.db"
    )
    application = build_application(settings, sqlite_db, request=api, rate_limited=False)
    console = Console(application, api, ConsoleUser(user_id=5), io.StringIO())
    counted = tmp_path / "count.txt"
    counted.write_text("A001 12\n", encoding="utf-8")
    received: list[bytes] = []

    async def keep(update: object, context: object) -> None:
        document = update.message.document  # type: ignore[attr-defined]
        received.append(bytes(await (await document.get_file()).download_as_bytearray()))

    application.add_handler(MessageHandler(filters.Document.ALL, keep), group=-2)
    await application.initialize()
    try:
        await console.handle(f"#file {counted}")
    finally:
        await application.shutdown()

    assert received == [b"A001 12\n"]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<b>A001</b> 乌龙茶 &lt;50g&gt;", "A001 乌龙茶 <50g>"),
        (
            '<a href="https://t.me/jxc_bot?start=inv_x">invite</a>',
            "invite (https://t.me/jxc_bot?start=inv_x)",
        ),
        ("<code>XS-0001</code> <i>void</i>", "XS-0001 void"),
        ("Wang&#x27;s", "Wang's"),
    ],
)
def test_html_becomes_plain_text(html: str, text: str) -> None:
    assert plain_text(html) == text


def test_bold_stays_bold_on_a_terminal() -> None:
    assert plain_text("<b>Sale</b> posted", styled=True) == "\033[1mSale\033[0m posted"


def test_the_console_command_needs_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(
        cli.app, ["console", "--language", "en", "--name", "Li"], input="/start\n/quit\n"
    )

    assert result.exit_code == 0, result.output
    assert "you are Telegram user 1 (Li)" in result.stdout
    assert "What is it called?" in result.stdout
    assert (tmp_path / "jxc.db").exists()  # the SQLite default, migrated first


def test_the_console_command_refuses_an_unknown_language() -> None:
    result = CliRunner().invoke(cli.app, ["console", "--language", "fr"])

    assert result.exit_code == 2
    assert "'fr' is not one of 'zh', 'en'" in result.output
