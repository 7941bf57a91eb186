"""Outgoing mail: compose from templates, queue durably, send from a worker (SMTP or the
development outbox folder)."""
