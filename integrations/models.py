"""Integration state: outbox, cursors, runs."""
