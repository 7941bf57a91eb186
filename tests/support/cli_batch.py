"""Run several `coursewire` commands in one Python process, for test set-ups that would
otherwise start an interpreter (about two seconds of imports here) per command.

    python -m tests.support.cli_batch SPEC.json

SPEC is a JSON list of {"args": [...], "stdin": "..."}; the commands run in order, each
exactly as `coursewire <args>` would (app.cli.main), with that text as standard input.
The first failure stops the batch with the command's exit status; what each command
printed goes to standard output and error as usual.
"""

from __future__ import annotations

import io
import json
import sys

from app.cli import main


def run(spec: list[dict[str, object]]) -> int:
    for command in spec:
        args = [str(a) for a in command["args"]]  # type: ignore[union-attr]
        sys.stdin = io.StringIO(str(command.get("stdin") or ""))
        code = main(args)
        sys.stdout.flush()
        if code:
            print(f"cli_batch: `coursewire {' '.join(args)}` exited {code}", file=sys.stderr)
            return code
    return 0


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        sys.exit(run(json.load(f)))
