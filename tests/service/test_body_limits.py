"""Body limits per route, after routing and authentication, on real server processes.

Under uvicorn (the default server) a body is read only when the route asks for it: a body
sent to an unknown address, or to an upload route by someone who may not upload, is
refused before it is read, and a body past its route's limit is refused as it streams,
without being kept. daphne reads every body whole before the app sees it (to memory and
temporary files): the app still gives the same answers, but the server's memory and disk
are not protected, which is why docs/deploy/ puts nginx with client_max_body_size in front.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from courseware.service import DEMO_COURSE_FOLDER
from tests.conftest import REDIS_URL
from tests.content_app.conftest import archive_of
from tests.support.live import api_token, server_env, start_seeded

pytestmark = pytest.mark.slow

COURSE = "course-v1:Coursewire+PY101+2026"
IMPORT = f"/api/v1/courses/{COURSE}/import"
# Answers expected without the body: generous, the box is shared; a server that waits for
# the body never answers at all, since the test never sends the rest.
ANSWER_TIMEOUT = 20.0


def _seeded(server: str, db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp(server), REDIS_URL)
    proc, _ = start_seeded(server, env)
    yield proc
    proc.stop()


@pytest.fixture(scope="module", params=["uvicorn", "daphne"])
def server(request, db_factory, tmp_path_factory):
    yield from _seeded(request.param, db_factory, tmp_path_factory)


@pytest.fixture(scope="module")
def uvicorn_server(db_factory, tmp_path_factory):
    """Its own process, so what the other tests sent doesn't show in its memory."""
    yield from _seeded("uvicorn", db_factory, tmp_path_factory)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the client had written when the answer arrived

    def error_code(self) -> str:
        return str(json.loads(self.body)["error"]["code"])


async def post_streaming(port: int, path: str, headers: dict[str, str], *, chunk: int,
                         total: int, chunked: bool, stop_after: int | None = None,
                         ) -> Answer:
    """POST a body of `total` bytes in `chunk`-byte pieces while reading the answer.

    With `stop_after`, only that many body bytes are ever sent (the rest never comes), so
    an answer proves the server did not wait for the body. Otherwise the whole body is sent
    (uvicorn reads what follows a refusal and drops it) unless the server hangs up.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
            *(f"{k}: {v}" for k, v in headers.items())]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    sent = 0
    sent_at_answer: list[int] = []
    piece = b"x" * chunk

    async def send_body() -> None:
        nonlocal sent
        limit = total if stop_after is None else min(total, stop_after)
        try:
            while sent < limit:
                data = piece[:min(chunk, limit - sent)]
                writer.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
                await writer.drain()
                sent += len(data)
                await asyncio.sleep(0)  # drain() need not yield: let the answer be read
            if chunked and limit == total:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except (ConnectionError, OSError):
            return  # the server closed the connection: it wants no more

    sender = asyncio.create_task(send_body())
    try:
        status_line = await asyncio.wait_for(reader.readline(), ANSWER_TIMEOUT)
        sent_at_answer.append(sent)
        fields: dict[str, str] = {}
        while (line := await asyncio.wait_for(reader.readline(), ANSWER_TIMEOUT)) not in (
                b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        length = int(fields.get("content-length", "0"))
        body = await asyncio.wait_for(reader.readexactly(length), ANSWER_TIMEOUT)
        await asyncio.wait_for(sender, 120)  # until the whole body is sent or refused
    finally:
        sender.cancel()
        writer.close()
    return Answer(int(status_line.split()[1]), fields, body, sent_at_answer[0])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_serve_and_demo_run_uvicorn_unless_told_otherwise():
    from app.cli import build_parser

    for command in ("serve", "demo"):
        assert build_parser().parse_args([command]).server == "uvicorn"
        assert build_parser().parse_args([command, "--server", "daphne"]).server == "daphne"


# What holds under both servers: the app's answers.

def test_an_oversized_sign_in_body_is_413_in_the_api_error_shape(server):
    r = httpx.post(server.base + "/api/v1/auth/token", content=b"x" * 100_000,
                   headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"
    assert "8,192 bytes" in r.json()["error"]["message"]


def test_an_anonymous_import_is_refused_and_a_students_is_forbidden(server):
    archive = b"\x1f\x8b" + b"x" * 2_000_000
    r = httpx.post(server.base + IMPORT, content=archive, timeout=60,
                   headers={"content-type": "application/gzip"})
    assert r.status_code in (401, 403) and r.json()["error"]["code"]
    student = api_token(server.base, "ada@demo.coursewire")
    r = httpx.post(server.base + IMPORT, content=archive, timeout=60,
                   headers={**bearer(student), "content-type": "application/gzip"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"


def test_a_body_sent_to_an_unknown_address_is_404(server):
    r = httpx.post(server.base + "/nothing/here/import", content=b"x" * 500_000, timeout=60)
    assert r.status_code == 404


def test_the_instructors_archive_import_still_works(server):
    teacher = api_token(server.base, "instructor@demo.coursewire")
    r = httpx.post(server.base + IMPORT, content=archive_of(DEMO_COURSE_FOLDER), timeout=120,
                   headers={**bearer(teacher), "content-type": "application/gzip"})
    assert r.status_code == 200, r.text
    assert r.json()["course_id"] == COURSE


# What only uvicorn protects: the server never reads a body the route will not take.

async def test_a_200_mb_chunked_sign_in_body_is_refused_at_once_and_rss_stays_flat(
        uvicorn_server):
    pid = uvicorn_server.proc.pid
    before = rss_bytes(pid)
    answer = await post_streaming(uvicorn_server.port, "/api/v1/auth/token",
                                  {"Content-Type": "application/json"},
                                  chunk=64 * 1024, total=200 * 1024 * 1024, chunked=True)
    assert answer.status == 413 and answer.error_code() == "too_large"
    assert answer.sent < 20 * 1024 * 1024, "answered only after most of the body"
    assert rss_bytes(pid) - before < 50 * 1024 * 1024
    assert httpx.get(uvicorn_server.base + "/healthz").status_code == 200


async def test_a_sign_in_body_past_its_limit_is_refused_before_the_rest_is_sent(
        uvicorn_server):
    answer = await post_streaming(uvicorn_server.port, "/api/v1/auth/token",
                                  {"Content-Type": "application/json"}, chunk=16 * 1024,
                                  total=900_000, chunked=True, stop_after=16 * 1024)
    assert answer.status == 413 and answer.error_code() == "too_large"


@pytest.mark.parametrize("who", ["anonymous", "student"])
async def test_a_50_mb_import_by_someone_who_may_not_import_is_refused_unread(
        uvicorn_server, who):
    headers = {"Content-Type": "application/gzip"}
    if who == "student":
        headers.update(bearer(api_token(uvicorn_server.base, "ada@demo.coursewire")))
    answer = await post_streaming(uvicorn_server.port, IMPORT, headers, chunk=64 * 1024,
                                  total=50_000_000, chunked=False, stop_after=64 * 1024)
    assert answer.status in ((401, 403) if who == "anonymous" else (403,))
    assert answer.error_code() in ("not_authenticated", "permission_denied")


@pytest.mark.parametrize("path", ["/nothing/here", "/nothing/here/import",
                                  f"/courses/{COURSE}/nothing/assets"])
async def test_a_body_sent_to_an_unknown_address_is_404_unread(uvicorn_server, path):
    answer = await post_streaming(uvicorn_server.port, path, {}, chunk=1024,
                                  total=40_000_000, chunked=False, stop_after=1024)
    assert answer.status == 404
