"""docs/deploy/nginx.conf, run as shipped (ports and paths substituted) by Debian's nginx in
front of two app processes sharing PostgreSQL and Redis: pages load, live sockets pass
through and get events published on the other process, oversized bodies stop at nginx.

nginx runs as this test's own process (`-p <tmp> -c <generated conf>`, on a free port),
never as the system service.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import SERVICE_MODE
from tests.support.live import (
    api_token,
    recv_json,
    recv_until,
    seed_demo,
    server_env,
    session_cookie,
)
from tests.support.servers import ROOT, ServerProcess, free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                  else None)
SHIPPED = ROOT / "docs" / "deploy" / "nginx.conf"
COURSE = "course-v1:Coursewire+PY101+2026"

pytestmark = [
    pytest.mark.service, pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
    pytest.mark.skipif(not SERVICE_MODE, reason="needs PostgreSQL and Redis (service mode): "
                                                "two app processes must share them"),
]


def site_conf(nginx_port: int, app_ports: tuple[int, int]) -> str:
    """The shipped file with this test's ports and paths; each placeholder must be there."""
    text = SHIPPED.read_text()
    for old, new in [("listen 80;", f"listen 127.0.0.1:{nginx_port};"),
                     ("server 127.0.0.1:8001;", f"server 127.0.0.1:{app_ports[0]};"),
                     ("server 127.0.0.1:8002;", f"server 127.0.0.1:{app_ports[1]};"),
                     ("alias /srv/coursewire/static/;", f"alias {ROOT / 'static'}/;")]:
        assert text.count(old) == 1, f"{SHIPPED} no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def main_conf(prefix: Path, site: Path) -> str:
    """What /etc/nginx/nginx.conf provides around a conf.d file, kept inside `prefix`."""
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read our temp dirs
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
daemon off;
worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix / 'access.log'};
{temp}
    include {site};
}}
"""


@pytest.fixture(scope="module")
def deployment(db_factory, tmp_path_factory):
    from tests.conftest import REDIS_URL

    env_a = server_env(db_factory, tmp_path_factory.mktemp("web-a"), REDIS_URL)
    env_a["COURSEWIRE_TRUSTED_PROXIES"] = "127.0.0.1"
    env_b = {**env_a, "COURSEWIRE_DATA_DIR": str(tmp_path_factory.mktemp("web-b"))}
    seed_demo(env_a)
    a = ServerProcess("uvicorn", env_a).start()
    b = ServerProcess("uvicorn", env_b).start()
    prefix = tmp_path_factory.mktemp("nginx")
    port = free_port()
    site = prefix / "coursewire.conf"
    site.write_text(site_conf(port, (a.port, b.port)))
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, site))
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e",
                            str(prefix / "error.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e",
                              str(prefix / "error.log")])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert nginx.poll() is None, (prefix / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield base, a, b
    finally:
        nginx.terminate()
        nginx.wait(10)
        a.stop()
        b.stop()


def socket_owner(a: ServerProcess, b: ServerProcess) -> tuple[ServerProcess, ServerProcess]:
    """(the process holding our one socket, the other one), from their health counts."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        counts = [httpx.get(s.base + "/healthz").json()["sockets"] for s in (a, b)]
        if counts == [1, 0]:
            return a, b
        if counts == [0, 1]:
            return b, a
        time.sleep(0.1)
    raise AssertionError(f"socket counts never settled: {counts}")


def test_a_page_loads_and_a_session_works_through_nginx(deployment):
    base, _, _ = deployment
    with httpx.Client(base_url=base) as c:
        login = c.get("/login")
        assert login.status_code == 200 and 'name="password"' in login.text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"email": "ada@demo.coursewire",
                                   "password": "coursewire-demo", "csrf_token": csrf})
        assert r.status_code == 303, r.text[:300]
        # Round robin: the dashboard comes from both processes in turn, same session.
        for _ in range(4):
            home = c.get("/")
            assert home.status_code == 200 and "Python" in home.text
        static = c.get("/static/coursewire.css")
        assert static.status_code == 200
        assert static.content == (ROOT / "static" / "coursewire.css").read_bytes()


async def test_a_socket_through_nginx_gets_an_event_published_on_the_other_process(
        deployment):
    base, a, b = deployment
    student = api_token(base, "ada@demo.coursewire")
    ws_url = base.replace("http", "ws", 1) + f"/api/v1/events?token={student}"
    async with websockets.connect(ws_url) as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))
        assert (await recv_json(ws))["subscribed"] == [f"course:{COURSE}"]
        _, other = socket_owner(a, b)
        teacher = api_token(other.base, "instructor@demo.coursewire")
        r = httpx.post(f"{other.base}/api/v1/courses/{COURSE}/announcements",
                       json={"title": "Through nginx", "body": "from the other process"},
                       headers={"Authorization": f"Bearer {teacher}"})
        assert r.status_code == 201, r.text
        frame = json.loads(await recv_until(
            ws, lambda raw: json.loads(raw).get("event") == "announcement.created", 10))
        assert frame["data"]["id"] == r.json()["id"]


async def test_cookie_sockets_pass_the_origin_check_through_nginx(deployment):
    base, _, _ = deployment
    cookie, _ = session_cookie(base, "ada@demo.coursewire")
    url = base.replace("http", "ws", 1) + "/api/v1/events"
    async with websockets.connect(url, additional_headers={"Cookie": cookie},
                                  origin=base) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"subscribe": ["user:me"]}))
        assert (await recv_json(ws))["subscribed"] == ["user:me"]


def test_an_oversized_body_stops_at_nginx_but_uploads_get_50_mb(deployment):
    base, _, _ = deployment
    big = b"x" * 2_000_000
    r = httpx.post(base + "/api/v1/auth/token", content=big, timeout=60,
                   headers={"content-type": "application/json"})
    # nginx's own refusal (the app never saw the body), in the API's JSON error shape.
    assert r.status_code == 413, r.text[:300]
    assert r.headers["content-type"].startswith("application/json"), r.headers
    assert r.json()["error"]["code"] == "too_large"
    # A page form gets nginx's HTML page, as before.
    r = httpx.post(base + "/login", content=big, timeout=60,
                   headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "nginx" in r.text
    # The import location takes it on to the app, which refuses the anonymous sender.
    r = httpx.post(base + f"/api/v1/courses/{COURSE}/import", content=big, timeout=60,
                   headers={"content-type": "application/gzip"})
    assert r.status_code in (401, 403) and r.json()["error"]["code"]
