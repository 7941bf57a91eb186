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

from collections.abc import Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Every RuntimeValue's binding, in one ContextVar: binding the Runtime's twenty-odd values
# for each ASGI call is then one context change, not one per value (py-spy: 4% of an app
# process's CPU in the exam storm went to those sets). A bound mapping is never changed in
# place: binding makes a new one, so a task keeps what its context had.
_BOUND: ContextVar[Mapping[RuntimeValue[Any], Any]] = ContextVar(
    "coursewire_runtime", default=MappingProxyType({}))


class RuntimeValue(Generic[T]):
    """One piece of process state. `get()` says clearly when nothing was bound."""

    def __init__(self, what: str, *, default: T | None = None) -> None:
        self.what = what
        self._default = default

    def bind(self, value: T | None) -> None:
        """Bind `value` in this context and the tasks it starts (None: unbind)."""
        bind_all({self: value})

    def peek(self) -> T | None:
        value = _BOUND.get().get(self)
        return self._default if value is None else value

    def get(self) -> T:
        value = self.peek()
        if value is None:
            raise RuntimeError(f"No {self.what}: the Runtime (app.runtime) or the command "
                               "that needs it binds one.")
        return value


def bind_all(values: Mapping[RuntimeValue[Any], Any]) -> None:
    """Bind each value to its item in this context and the tasks it starts, in one change
    (an item None unbinds its value)."""
    bound = {**_BOUND.get(), **values}
    for value, item in values.items():
        if item is None:
            del bound[value]
    _BOUND.set(bound)
