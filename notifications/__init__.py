"""Notifications that outlive the page: an inbox per person, filled from the event log."""
