"""`coursewire erase-user` and `coursewire prune-events`, run as an operator would."""

from __future__ import annotations

import pytest

from tests.service.test_cli import cli_env, cw  # noqa: F401 (cli_env is a fixture)


@pytest.mark.parametrize("command", [["erase-user"], ["prune-events"]])
def test_the_commands_have_a_usable_help(command):
    out = cw([*command, "--help"], {})
    assert out.returncode == 0 and "Example" in out.stdout


def test_erase_user_asks_for_yes_then_erases_by_email_once(cli_env):  # noqa: F811
    made = cw(["createuser", "Zeb@Example.org", "--name", "Zeb Q", "--password", "-"],
              cli_env, stdin="a-long-enough-password\n")
    assert made.returncode == 0, made.stderr
    asked = cw(["erase-user", "zeb@example.org"], cli_env)
    assert asked.returncode == 2 and "--yes" in asked.stdout
    out = cw(["erase-user", "Zeb@Example.org", "--yes"], cli_env)
    assert out.returncode == 0, out.stderr
    assert "Erased zeb@example.org" in out.stdout and "Deleted user" in out.stdout
    again = cw(["erase-user", "zeb@example.org", "--yes"], cli_env)
    assert again.returncode != 0 and "No account" in again.stderr


def test_prune_events_keeps_the_newest_and_says_how_many_went(cli_env):  # noqa: F811
    out = cw(["prune-events", "--days", "0"], cli_env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Pruned ") and "older than 0 days" in out.stdout
    bad = cw(["prune-events", "--days", "-1"], cli_env)
    assert bad.returncode != 0 and "--days" in bad.stderr
