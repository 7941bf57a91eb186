"""The code-grading sandbox (bubblewrap), detected once; tests skip where it cannot run."""

from __future__ import annotations

import asyncio

import pytest

from grading.sandbox import Sandbox, SandboxUnavailable, detect_sandbox

_detected: list[Sandbox | str] = []


def detected_sandbox() -> Sandbox:
    if not _detected:
        try:
            _detected.append(asyncio.run(detect_sandbox()))
        except SandboxUnavailable as exc:
            _detected.append(str(exc))
    found = _detected[0]
    if isinstance(found, str):
        pytest.skip(f"no code sandbox here: {found}")
    return found


@pytest.fixture
def sandbox() -> Sandbox:
    return detected_sandbox()


@pytest.fixture
def bubblewrap() -> Sandbox:
    return detected_sandbox()
