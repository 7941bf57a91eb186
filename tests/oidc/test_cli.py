"""`coursewire add-sign-in-provider` and `sign-in-providers`, run as an operator would."""

from __future__ import annotations

from tests.service.test_cli import cli_env, cw  # noqa: F401 (cli_env is a fixture)


def test_add_and_list_without_showing_the_secret(cli_env):  # noqa: F811
    args = ["add-sign-in-provider", "aalto", "--name", "Aalto", "--issuer",
            "https://idp.aalto.example", "--client-id", "cw-client", "--client-secret", "-",
            "--email-domains", "aalto.fi"]
    out = cw(args, cli_env, stdin="very-secret-value\n")
    assert out.returncode == 0, out.stderr
    assert "/sign-in/aalto/callback" in out.stdout
    listed = cw(["sign-in-providers"], cli_env)
    assert listed.returncode == 0 and "aalto\tAalto\thttps://idp.aalto.example" in listed.stdout
    assert "very-secret-value" not in listed.stdout
    again = cw(args, cli_env, stdin="x\n")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_bad_fields_are_named(cli_env):  # noqa: F811
    out = cw(["add-sign-in-provider", "Bad Slug", "--name", "X", "--issuer", "nonsense",
              "--client-id", "c", "--client-secret", "s"], cli_env)
    assert out.returncode == 2 and "slug" in out.stderr and "issuer" in out.stderr
