"""Pushed alerts: low stock with reorder suggestions, money reminders, the daily digest.

Alerts are written to a durable outbox (``Outbox``) in the transaction that causes them; the
bot's delivery job sends them, paced, and marks them sent.
"""
