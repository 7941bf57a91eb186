"""How the `coursewire` command fails: one line on stderr that says what to do next, and a
non-zero exit (2 for a mistake in what was asked, 1 for the environment), never a
traceback. Also the checks made before a command starts: settings that can't work, and
a port already in use."""

from __future__ import annotations

import errno
import socket
from urllib.parse import urlparse

from core.settings import Settings

DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg", "psycopg", "mysql")
REDIS_SCHEMES = ("redis", "rediss", "unix")
MONGO_SCHEMES = ("mongodb", "mongodb+srv")
USAGE, ENVIRONMENT = 2, 1


class CommandError(Exception):
    """A failure already worded for the user, with its exit status."""

    def __init__(self, message: str, status: int = ENVIRONMENT) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def check_settings(settings: Settings) -> None:
    """Refuse settings that can't work before anything connects, naming the variable."""
    _check_scheme("DATABASE_URL", settings.database_url, DATABASE_SCHEMES,
                  "e.g. postgres://user@127.0.0.1:5432/coursewire")
    if settings.redis_url:
        _check_scheme("REDIS_URL", settings.redis_url, REDIS_SCHEMES,
                      "e.g. redis://127.0.0.1:6379/0")
    if settings.mongo_url:
        _check_scheme("MONGO_URL", settings.mongo_url, MONGO_SCHEMES,
                      "e.g. mongodb://127.0.0.1:27017")
    public = urlparse(settings.public_url)
    if public.scheme not in ("http", "https") or not public.netloc:
        raise CommandError(f"COURSEWIRE_PUBLIC_URL={settings.public_url!r} is not an "
                           "http(s) URL, e.g. https://courses.example.org")


def _check_scheme(name: str, url: str, schemes: tuple[str, ...], example: str) -> None:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in schemes:
        raise CommandError(f"{name}={_redacted(url)!r} is not a {'/'.join(schemes[:2])} URL "
                           f"({example}).")


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def check_port_free(host: str, port: int) -> None:
    """Fail now, in one line, rather than after start-up with the server's traceback."""
    if not 0 < port < 65536:
        raise CommandError(f"--port {port} is not a port number (1-65535).", USAGE)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise CommandError(f"--host {host!r} is not an address of this machine.",
                           USAGE) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(f"Port {port} on {host} is already in use; stop what runs "
                                   f"there or pick another with --port.") from None
            raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None


def describe(exc: BaseException) -> tuple[str, int]:
    """One line for an exception a command raised, and the exit status."""
    from core.errors import CoursewireError

    if isinstance(exc, CommandError):
        return exc.message, exc.status
    if isinstance(exc, CoursewireError):
        return exc.message, USAGE
    text = _first_line(str(exc))
    name = type(exc).__name__
    missing_table = ("no such table" in text or name == "UndefinedTableError"
                     or ("relation" in text and "does not exist" in text))
    if missing_table:
        return ("The database has no tables yet: run `coursewire migrate` first "
                "(it applies the migrations to DATABASE_URL).", ENVIRONMENT)
    if name == "ConfigurationError":
        return f"DATABASE_URL is not usable: {text}", ENVIRONMENT
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or text}", ENVIRONMENT
    module = type(exc).__module__.split(".")[0]
    service = {"pymongo": "MongoDB (MONGO_URL)", "motor": "MongoDB (MONGO_URL)",
               "redis": "Redis (REDIS_URL)"}.get(module)
    if service is None and isinstance(exc, ConnectionError | OSError | TimeoutError):
        service = "the database (DATABASE_URL)"
    if service is not None:
        return f"Cannot reach {service}: {text[:160]}", ENVIRONMENT
    return f"{name}: {text[:300]}", ENVIRONMENT


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "(no details)"
