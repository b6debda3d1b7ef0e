"""``jxc-bot demo`` and ``jxc-bot check`` as an operator runs them, on both engines."""

import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_cli import clean_environment, empty_postgres, jxc  # noqa: F401


def test_demo_then_check_reports_a_clean_ledger(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    demo = jxc("demo", DATABASE_URL=url)
    assert demo.exit_code == 0, demo.output
    assert "50 products, 3 warehouses" in demo.stdout
    check = jxc("check", DATABASE_URL=url)
    assert check.exit_code == 0, check.output
    assert check.stdout.startswith("ledger ok: 50 products, ")
    assert check.stdout.rstrip().endswith(" moves")


def test_check_names_each_difference_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    url = f"sqlite+aiosqlite:///{path}"
    assert jxc("demo", DATABASE_URL=url).exit_code == 0
    with sqlite3.connect(path) as conn:  # what a bad restore or a hand edit would do
        conn.execute("UPDATE stock_balances SET on_hand = on_hand + 1000 WHERE rowid = 1")
        conn.execute("UPDATE product_costs SET value = value + 10000 WHERE product_id = 2")
    check = jxc("check", DATABASE_URL=url)
    assert check.exit_code == 1
    lines = check.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("balance: business 1 product ")
    assert "stored" in lines[0] and "moves say" in lines[0]
    assert lines[1].startswith("value: business 1 product 2: stored ")
    assert "ledger differs: 2 difference(s)" in check.stderr


def test_check_refuses_a_missing_database_in_one_line(tmp_path: Path) -> None:
    check = jxc("check", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    assert check.exit_code == 2
    assert check.stderr.startswith("jxc-bot: there is no database at ")
    assert "Traceback" not in check.output


@pytest.mark.usefixtures("clean_environment")
def test_demo_and_check_work_on_postgresql(empty_postgres: str) -> None:  # noqa: F811
    assert jxc("demo", DATABASE_URL=empty_postgres).exit_code == 0
    check = jxc("check", DATABASE_URL=empty_postgres)
    assert check.exit_code == 0, check.output
    assert check.stdout.startswith("ledger ok: 50 products, ")
