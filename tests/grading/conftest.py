"""Sandboxes for the code-grading tests: each isolation method that works here."""

from __future__ import annotations

import asyncio

import pytest

from grading.sandbox import Isolation, Sandbox, SandboxUnavailable, detect_sandbox

_detected: dict[Isolation, Sandbox | str] = {}


def sandbox_for(method: Isolation) -> Sandbox:
    if method not in _detected:
        try:
            _detected[method] = asyncio.run(detect_sandbox((method,)))
        except SandboxUnavailable as exc:
            _detected[method] = str(exc)
    found = _detected[method]
    if isinstance(found, str):
        pytest.skip(f"{method.value} unavailable here: {found}")
    return found


@pytest.fixture(params=[Isolation.BUBBLEWRAP, Isolation.RLIMITS], ids=lambda m: m.value)
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    """Every isolation method: the hostile cases must be contained by each."""
    return sandbox_for(request.param)


@pytest.fixture
def bubblewrap() -> Sandbox:
    """Only bubblewrap: for protections the rlimits fallback does not give."""
    return sandbox_for(Isolation.BUBBLEWRAP)
