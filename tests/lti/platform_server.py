"""The simulated platform as a real HTTP server on a free port, for a tool running in its own
process and a real browser: its key set, and an authorization endpoint that answers our login
redirect with the page a platform sends, an auto-submitting form posting the id_token."""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.lti.platform import Platform
from tests.support.servers import free_port

FRAME_PAGE = "/mod/lti/view.php"


class PlatformServer:
    """Launch hints travel as the platform's own do: `login_hint` names the user (sub) and
    `lti_message_hint` the role, both echoed back to the authorization endpoint."""

    def __init__(self) -> None:
        self.port = free_port()
        self.platform = Platform(issuer=f"http://127.0.0.1:{self.port}")
        self.targets: dict[str, str] = {}  # role -> target_link_uri, set by the test
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> PlatformServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def login_url(self, tool_base: str, *, sub: str, role: str, target: str) -> str:
        """Where the platform sends a user who clicks the link (the tool's login initiation)."""
        params = {"iss": self.platform.issuer, "login_hint": sub, "lti_message_hint": role,
                  "target_link_uri": target, "client_id": self.platform.client_id,
                  "lti_deployment_id": self.platform.deployment_id}
        return f"{tool_base}/lti/login?{urlencode(params)}"

    def framed_url(self, tool_login_url: str) -> str:
        """The platform's course page showing the tool's link in an iframe (Moodle's
        "embed" launch container)."""
        return f"{self.platform.issuer}{FRAME_PAGE}?{urlencode({'src': tool_login_url})}"

    def _frame_page(self, query: str) -> str:
        src = html.escape(parse_qs(query)["src"][0])
        return ('<!doctype html><title>Moodle course</title><h1>Moodle course</h1>'
                f'<iframe id="tool" src="{src}" width="1000" height="700"></iframe>')

    def _answer_auth(self, query: str) -> str:
        q = {k: v[0] for k, v in parse_qs(query).items()}
        assert q["client_id"] == self.platform.client_id and q["response_mode"] == "form_post"
        role = q["lti_message_hint"]
        token = self.platform.id_token(q["nonce"], sub=q["login_hint"], role=role,
                                       target_link_uri=self.targets[role])
        action, state = html.escape(q["redirect_uri"]), html.escape(q["state"])
        return (f'<!doctype html><form id="launch" method="post" action="{action}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{state}"></form>'
                '<script>document.getElementById("launch").submit()</script>')

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == urlsplit(server.platform.key_set_url).path:
                    server.platform.jwks_fetches += 1
                    self._send(200, "application/json", json.dumps(server.platform.jwks()))
                elif url.path == urlsplit(server.platform.auth_login_url).path:
                    self._send(200, "text/html", server._answer_auth(url.query))
                elif url.path == FRAME_PAGE:
                    self._send(200, "text/html", server._frame_page(url.query))
                else:
                    self._send(404, "text/plain", "not found")

            def _send(self, status: int, content_type: str, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
