"""Placeholder: being written for issue 4 (see bot/handlers/__init__.py for the order)."""

from telegram.ext import Application


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds nothing yet."""
    del application
