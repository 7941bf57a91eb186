"""Process state read where it is used, bound by the shell's Runtime (app/runtime.py).

The Runtime is the one owner of what a running process holds: the content store, the
grading queue and limits, the registries the domains installed, and so on. Services read
these deep inside plain functions (`current_store()` in a dozen modules of five domains,
the grading queue and limits inside the grading services, topic authorizers inside the
realtime endpoints). Passing the Runtime down every service signature and route would
change every domain's public functions for no gain in clarity, so each piece is a
`RuntimeValue`: a ContextVar that the Runtime binds (`Runtime.bind()`) in the task that
starts it and in every ASGI call it serves. Tasks started from there (workers, the hub,
timers) inherit the binding. Unlike the module-level setters this replaces, two
applications in one process (tests) each see their own state, and nothing is set at import.
Code outside a Runtime (a CLI command, a test) binds what it opened the same way.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Generic, TypeVar

T = TypeVar("T")


class RuntimeValue(Generic[T]):
    """One piece of process state. `get()` says clearly when nothing was bound."""

    def __init__(self, what: str, *, default: T | None = None) -> None:
        self.what = what
        self._default = default
        self._var: ContextVar[T | None] = ContextVar(what, default=None)

    def bind(self, value: T | None) -> None:
        """Bind `value` in this context and the tasks it starts (None: unbind)."""
        self._var.set(value)

    def peek(self) -> T | None:
        value = self._var.get()
        return self._default if value is None else value

    def get(self) -> T:
        value = self.peek()
        if value is None:
            raise RuntimeError(f"No {self.what}: the Runtime (app.runtime) or the command "
                               "that needs it binds one.")
        return value
