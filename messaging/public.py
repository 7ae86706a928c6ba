"""The interface other apps may use (plain dataclasses; never models)."""
