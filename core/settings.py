"""Settings, read from the environment in this one place.

Every other module receives a `Settings` object; nothing else reads `os.environ`.
Defaults are the embedded ones (SQLite, in-memory channel layer, in-process MongoDB
stand-in) so `coursewire demo` runs on a bare machine.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    mongo_url: str | None
    secret_key: str
    mongo_db_name: str = "coursewire"
    token_ttl_seconds: int = 3600
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 50_000_000
    https_only_cookies: bool = False
    login_attempts_per_account: int = 10
    login_attempts_per_ip: int = 30
    login_window_seconds: int = 900
    # Addresses/networks of reverse proxies whose X-Forwarded-For is believed (for the
    # per-IP login limit). Empty: the header is ignored, since any client can send one.
    trusted_proxies: tuple[str, ...] = ()
    heartbeat_seconds: float = 25.0
    socket_buffer_frames: int = 256
    # Namespaces Redis keys (channel layer, rate limits) so several deployments can share one.
    redis_prefix: str = "cw"
    # Grading: how this server is reached by external graders (for their submission_url),
    # when a queued/grading submission counts as stuck, and external grader patience.
    public_url: str = "http://127.0.0.1:8000"
    grading_stale_seconds: float = 300.0
    grading_sweep_seconds: float = 30.0
    external_grader_timeout_seconds: float = 30.0
    external_grader_retries: int = 3
    external_grader_backoff_seconds: float = 2.0
    # Hosts or networks external graders may be on although private (app/outbound.py).
    grader_allowed_hosts: tuple[str, ...] = ()
    grading_in_app: str = ""  # "1"/"0" forces grading in the web process on/off
    # A submission is given up (status `error`, attempt not counted) after this many
    # grading runs, or this long in `queued`/`grading`; an async external grader that
    # accepted must post its result within external_grader_async_timeout_seconds.
    grading_max_runs: int = 4
    grading_give_up_seconds: float = 1800.0
    external_grader_async_timeout_seconds: float = 3600.0
    # Peer review: how long a reviewer holds a response, how often expired leases are swept.
    peer_review_lease_hours: float = 8.0
    peer_review_sweep_seconds: float = 30.0
    # A lease pushed to a waiting reviewer lasts this long until they open it (then the
    # full lease); a reviewer stops waiting after this many hours; allocated reviews are
    # due this many days after the allocation ran.
    peer_review_first_open_minutes: float = 15.0
    peer_review_wait_hours: float = 2.0
    peer_review_allocated_days: float = 7.0
    # The event log (replay with `since`) keeps this many days; older `since` gets resync.required.
    event_retention_days: float = 7.0
    digest_hour: int = 6  # UTC: the daily digest goes out at this hour or soon after
    # Quizzes: seconds after a deadline before the server hands an attempt in itself, for
    # answers that reached the server in time to finish saving (quizzes.timing).
    quiz_grace_seconds: float = 15.0
    # Mail: SMTP (smtp:// or smtps://, user:password@host:port) or, unset, one .eml file per
    # mail in <data dir>/outbox/. `mail_from` is the sender of every mail.
    smtp_url: str | None = None
    mail_from: str = "Coursewire <noreply@coursewire.invalid>"
    # How long mailed links work: password reset, email verification, a welcome's
    # set-password link.
    password_reset_minutes: float = 60.0
    verify_email_days: float = 7.0
    welcome_days: float = 14.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        """True when no external service is configured (single-process mode)."""
        return self.redis_url is None


def _secret_key(data_dir: Path, env: dict[str, str]) -> str:
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with 0600 so other local users can't forge sessions.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _make_private(data_dir: Path) -> None:
    """The data dir holds hidden tests, answer keys and password hashes: 0700, files
    0600, including those an older version made world-readable."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for root, _dirs, files in os.walk(data_dir):
        os.chmod(root, 0o700)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def _trusted_proxies(value: str) -> tuple[str, ...]:
    entries = tuple(e.strip() for e in value.split(",") if e.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"COURSEWIRE_TRUSTED_PROXIES: {entry!r} is not an IP address or "
                             "network (e.g. 127.0.0.1 or 10.0.0.0/8)") from None
    return entries


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (or the given mapping, for tests)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("COURSEWIRE_DATA_DIR") or Path.cwd() / ".coursewire").resolve()
    _make_private(data_dir)
    database_url = env.get("DATABASE_URL") or f"sqlite://{data_dir / 'coursewire.sqlite3'}"
    if not env.get("DATABASE_URL"):  # SQLite creates its journals with the file's mode
        os.close(os.open(data_dir / "coursewire.sqlite3", os.O_WRONLY | os.O_CREAT, 0o600))
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env.get("REDIS_URL") or None,
        mongo_url=env.get("MONGO_URL") or None,
        mongo_db_name=env.get("MONGO_DB", "coursewire"),
        secret_key=_secret_key(data_dir, env),
        token_ttl_seconds=int(env.get("COURSEWIRE_TOKEN_TTL", "3600")),
        https_only_cookies=env.get("COURSEWIRE_HTTPS_ONLY", "") in {"1", "true", "yes"},
        trusted_proxies=_trusted_proxies(env.get("COURSEWIRE_TRUSTED_PROXIES", "")),
        heartbeat_seconds=float(env.get("COURSEWIRE_HEARTBEAT_SECONDS", "25")),
        redis_prefix=env.get("COURSEWIRE_REDIS_PREFIX", "cw"),
        public_url=env.get("COURSEWIRE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        grading_stale_seconds=float(env.get("COURSEWIRE_GRADING_STALE_SECONDS", "300")),
        grading_sweep_seconds=float(env.get("COURSEWIRE_GRADING_SWEEP_SECONDS", "30")),
        external_grader_timeout_seconds=float(
            env.get("COURSEWIRE_GRADER_TIMEOUT_SECONDS", "30")),
        external_grader_retries=int(env.get("COURSEWIRE_GRADER_RETRIES", "3")),
        external_grader_backoff_seconds=float(
            env.get("COURSEWIRE_GRADER_BACKOFF_SECONDS", "2")),
        grader_allowed_hosts=tuple(h.strip() for h in env.get(
            "COURSEWIRE_GRADER_ALLOWED_HOSTS", "").split(",") if h.strip()),
        grading_in_app=env.get("COURSEWIRE_GRADING_IN_APP", ""),
        grading_max_runs=int(env.get("COURSEWIRE_GRADING_MAX_RUNS", "4")),
        grading_give_up_seconds=float(env.get("COURSEWIRE_GRADING_GIVE_UP_SECONDS", "1800")),
        external_grader_async_timeout_seconds=float(
            env.get("COURSEWIRE_GRADER_ASYNC_TIMEOUT_SECONDS", "3600")),
        peer_review_lease_hours=float(env.get("COURSEWIRE_PEER_LEASE_HOURS", "8")),
        peer_review_sweep_seconds=float(env.get("COURSEWIRE_PEER_SWEEP_SECONDS", "30")),
        peer_review_first_open_minutes=float(
            env.get("COURSEWIRE_PEER_FIRST_OPEN_MINUTES", "15")),
        peer_review_wait_hours=float(env.get("COURSEWIRE_PEER_WAIT_HOURS", "2")),
        peer_review_allocated_days=float(env.get("COURSEWIRE_PEER_ALLOCATED_DAYS", "7")),
        smtp_url=_smtp_url(env.get("SMTP_URL", "")),
        mail_from=env.get("COURSEWIRE_MAIL_FROM") or Settings.mail_from,
        event_retention_days=_positive("COURSEWIRE_EVENT_RETENTION_DAYS",
                                       env.get("COURSEWIRE_EVENT_RETENTION_DAYS", "7")),
        digest_hour=_hour("COURSEWIRE_DIGEST_HOUR", env.get("COURSEWIRE_DIGEST_HOUR", "6")),
        quiz_grace_seconds=_grace(env.get("COURSEWIRE_QUIZ_GRACE_SECONDS", "15")),
    )


def _smtp_url(value: str) -> str | None:
    if not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError(f"SMTP_URL: {value!r} is not an smtp:// or smtps:// URL "
                         "(e.g. smtps://user:password@mail.example.org:465)")
    try:
        parts.port  # noqa: B018 (a bad port raises here, not at the first mail)
    except ValueError:
        raise ValueError(f"SMTP_URL: {value!r} has a bad port number") from None
    return value.strip()


def _hour(name: str, value: str) -> int:
    text = value.strip()
    if not (text.isdigit() and 0 <= int(text) <= 23):
        raise ValueError(f"{name}: {value!r} is not an hour of the day from 0 to 23, in UTC "
                         "(e.g. 6)")
    return int(text)


def _positive(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number <= 36_500:
        raise ValueError(f"{name}: {value!r} is not a number of days from 0 to 36500 "
                         "(e.g. 7)")
    return number


def _grace(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 600:
        raise ValueError(f"COURSEWIRE_QUIZ_GRACE_SECONDS: {value!r} is not a number of "
                         "seconds from 0 to 600 (e.g. 15)")
    return number
