"""A small external grader speaking the A+ protocol, run as its own process:

    python -m tests.support.example_grader --port 8100

It grades a text or code answer: full points if `text` (or `code`) contains "42".
Like an A+ grader it reads `submission_url`, `max_points`, `uid`, `ordinal_number`,
`lang` from the GET query (falling back to the form body). Paths choose behaviour,
so one process serves every case the platform must handle:

    /sync      answer with the points at once (JSON)
    /html      answer at once, A+ style HTML with <meta name="points" ...>
    /async     accept, then POST the result to submission_url a moment later
    /twice     like /async, but POST the result twice
    /error     accept, then POST error=1
    /slow      never answer in time (sleeps 60 s)
    /garbage   answer something that is not a grading reply
    /flaky     fail with HTTP 503 on the first try of each submission, then like /sync
    /silent    accept, and never post a result (the caller posts to submission_url)
    /log       GET: what this grader received and the platform's answers to its POSTs
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

received: list[dict[str, Any]] = []
failed_once: set[str] = set()
callbacks: list[dict[str, Any]] = []
_tasks: set[asyncio.Task[None]] = set()


def _grade(form: dict[str, Any]) -> tuple[float, float, str]:
    max_points = float(form.get("max_points") or 1)
    # Graders have their own scale; the platform rescales to the block's maximum.
    scale = 10.0
    ok = "42" in str(form.get("text") or form.get("code") or "")
    return (scale if ok else 0.0), scale, ("Right: 42." if ok else "<p>Think of 6 × 7.</p>") + \
        f" (block max {max_points:g})"


async def _post_back(url: str, fields: dict[str, str], times: int) -> None:
    await asyncio.sleep(0.2)
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(times):
            r = await client.post(url, data=fields)
            callbacks.append({"status": r.status_code, "body": r.json()})


async def grade(request: Request) -> Response:
    mode = request.path_params["mode"]
    body = {k: str(v) for k, v in (await request.form()).items()}
    query = dict(request.query_params)
    received.append({"mode": mode, "query": query, **body})
    form = {**body, **query}  # the protocol's parameters come in the query (A+)
    if mode == "flaky" and form.get("submission_url") not in failed_once:
        failed_once.add(str(form.get("submission_url")))
        return PlainTextResponse("busy, try later", status_code=503)
    points, max_points, feedback = _grade(form)
    if mode in ("sync", "flaky"):
        return JSONResponse({"points": points, "max_points": max_points, "feedback": feedback})
    if mode == "html":
        return HTMLResponse(f'<html><head><meta name="points" value="{points:g}">'
                            f'<meta name="max-points" value="{max_points:g}"></head>'
                            f"<body><p>{feedback}</p></body></html>")
    if mode == "slow":
        await asyncio.sleep(60)
        return JSONResponse({"points": points, "max_points": max_points})
    if mode == "garbage":
        return PlainTextResponse("I am a teapot, not a grader.")
    if mode == "silent":
        return JSONResponse({"status": "accepted"})
    fields = {"points": f"{points:g}", "max_points": f"{max_points:g}", "feedback": feedback,
              "grading_payload": json.dumps({"grader": "example", "mode": mode})}
    if mode == "error":
        fields = {"error": "1", "feedback": "The grader crashed on this input."}
    task = asyncio.create_task(_post_back(str(form["submission_url"]), fields,
                                          2 if mode == "twice" else 1))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return JSONResponse({"status": "accepted"})


async def log(_request: Request) -> Response:
    return JSONResponse({"received": received, "callbacks": callbacks})


app = Starlette(routes=[Route("/log", log), Route("/{mode}", grade, methods=["POST"])])


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m tests.support.example_grader",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args(argv)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
