"""Peer review figures: the fair queue vs ORA2's FIFO, and live assignment latency.

    python bench/peer_review_sim.py sim [--students 1000] [--seeds 1 2 3]
    python bench/peer_review_sim.py latency [--trials 40] [--service]

`sim`: a discrete-event simulation of one peer_review block in a 1,000-student course
(must_grade 3, graded_by 3, 8 h leases), run twice on the *same* students and timings:
once serving reviewers with Coursewire's order (peer_review.leases.choose / fair_key:
fewest completed+leased, then oldest) and once with ORA2's (oldest submission still short
of graded_by that nobody is currently reviewing; over-grading falls back to a random one).
Everything else is identical in both runs, including the waiting + push of live
assignment, so the difference is the order alone. Students:
- 10 % (--dropout) submit and never review; the rest:
- submit over 7 days, skewed late (Beta(5, 1.2): half in the last ~1 day),
  5 % on an extension up to 2 days after the deadline;
- start reviewing 0-30 min after submitting, each review takes 10-40 min, 8 % of leases
  are abandoned (they expire after 8 h);
- when nothing is eligible they wait on the page for 0.5-3 h (pushed work is taken) and
  otherwise come back after ~12 h. As the product (settings defaults): they stay recorded
  as waiting until the 2 h wait limit even after closing the page (no disconnect signal
  yet); work pushed to a page nobody looks at is held 15 min (the first lease), then
  goes to the next waiter; work they open gets the 8 h lease. After their 3 reviews,
  students still without a score
  come back (~every 12 h, each time with probability 1/2) and review one more if something
  needs it (up to 3 extra), as ORA2 lets them.
Three rows per seed: ours; ORA2's order with our waiting + push (the order alone); ORA2
as it is (FIFO, and "nothing available, come back later" instead of waiting + push).
Reported: time from submission to the graded_by-th completed assessment, how many
reviewers waited and were pushed work, and how many responses FIFO with and without push
differ on (see BENCHMARKS.md for why that is often almost none).

`latency`: a real server (daphne; --service: PostgreSQL + Redis), one reviewer waiting on
the peer review page in Debian Chromium; for each trial a new student submits (POST) and
we time POST start -> the reviewer's page DOM shows the assignment (MutationObserver,
Date.now() on the same machine). Then the reviewer assesses it and waits again. Second
case: another reviewer's lease expires (4 s leases) while ours waits; timed from the
lease's expires_at to the page showing it.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peer_review.leases import Candidate, choose  # noqa: E402

HOUR = 3600.0
DAY = 24 * HOUR
MUST_GRADE = GRADED_BY = 3
LEASE = 8 * HOUR  # the product's defaults (core/settings.py): peer_review_lease_hours,
WAIT = 2 * HOUR  # peer_review_wait_hours,
FIRST_OPEN = 15 * 60.0  # peer_review_first_open_minutes
LEASE_SECONDS = 4.0  # the latency run's lease (to time the lease-expiry case)


@dataclass
class Sub:
    id: int
    author: int
    at: float
    done: int = 0
    leases: dict[int, float] = field(default_factory=dict)  # reviewer -> expires
    reviewed_by: set[int] = field(default_factory=set)
    reached: float | None = None


@dataclass
class Student:
    id: int
    submit_at: float
    never_reviews: bool = False
    given: int = 0
    holding: int | None = None
    opened: bool = True  # False: pushed while they were away, on the short first lease
    present_until: float = 0.0  # on the page (waiting) until then


class Sim:
    def __init__(self, n: int, seed: int, policy: str, push: bool = True,
                 extra: int = 3, dropout: float = 0.1) -> None:
        self.policy = policy
        self.extra = extra
        self.push_work = push
        self.rng = random.Random(seed * 7919 + (policy == "fifo"))  # ORA2's random fallback
        timing = random.Random(seed)  # the same students and timings for both policies
        self.students = []
        for i in range(n):
            at = 7 * DAY * timing.betavariate(5, 1.2)
            if timing.random() < 0.05:
                at = 7 * DAY + timing.uniform(0, 2 * DAY)
            self.students.append(Student(i, at, never_reviews=timing.random() < dropout))
        self.timing = timing
        self.subs: dict[int, Sub] = {}
        self.events: list[tuple[float, int, str, int, int]] = []
        self.seq = 0
        self.waiters: dict[int, float] = {}  # student -> since (as the product records it)
        self.counts = {"waits": 0, "pushed": 0, "pushed_away": 0, "away_expired": 0}
        # Per-student random draws, made in order of use so both policies see the same.
        self.draws = {s.id: random.Random(seed * 1_000_003 + s.id) for s in self.students}
        for s in self.students:
            self.push(s.submit_at, "submit", s.id)

    def push(self, t: float, kind: str, who: int, sub: int = -1) -> None:
        self.seq += 1
        heapq.heappush(self.events, (t, self.seq, kind, who, sub))

    # -- the two orders --------------------------------------------------------------
    def pick(self, who: int, t: float) -> Sub | None:
        me = self.students[who]
        owes = me.given < MUST_GRADE
        if self.policy == "ours":
            cands = [Candidate(s.id, s.author, s.done + len(s.leases), s.at)
                     for s in self.subs.values()]
            seen = {s.id for s in self.subs.values()
                    if who in s.reviewed_by or who in s.leases}
            got = choose(cands, who, seen, cap=None if owes else GRADED_BY)
            return self.subs[got.id] if got else None
        eligible = [s for s in self.subs.values() if s.author != who
                    and who not in s.reviewed_by and who not in s.leases]
        needy = [s for s in eligible if s.done < GRADED_BY and not s.leases]
        if needy:
            return min(needy, key=lambda s: (s.at, s.id))
        if owes and eligible:
            return self.rng.choice(eligible)
        return None

    # -- events ----------------------------------------------------------------------
    def request(self, who: int, t: float, pushed: bool = False) -> bool:
        me = self.students[who]
        if me.holding is not None:
            if not me.opened:
                self.open_lease(who, t)
            return True
        sub = self.pick(who, t)
        if sub is None:
            return False
        self.waiters.pop(who, None)
        me.holding = sub.id
        if pushed:
            self.counts["pushed"] += 1
            if t >= me.present_until:
                # Pushed to a page nobody is looking at: the product holds it only for
                # the short first lease, then it goes to the next waiter.
                self.counts["pushed_away"] += 1
                me.opened = False
                sub.leases[who] = t + FIRST_OPEN
                self.push(t + FIRST_OPEN, "expire", who, sub.id)
                return True
        self.lease_opened(who, sub, t)
        return True

    def lease_opened(self, who: int, sub: Sub, t: float) -> None:
        me = self.students[who]
        me.opened = True
        sub.leases[who] = t + LEASE
        d = self.draws[who]
        if d.random() < 0.08:
            self.push(t + LEASE, "expire", who, sub.id)
        else:
            self.push(t + d.uniform(10, 40) * 60, "complete", who, sub.id)

    def open_lease(self, who: int, t: float) -> None:
        """They came back to work pushed while they were away: the full lease starts."""
        self.lease_opened(who, self.subs[self.students[who].holding], t)

    def wait_or_leave(self, who: int, t: float) -> None:
        d = self.draws[who]
        stay = d.uniform(0.5, 3) * HOUR
        if self.push_work:
            self.counts["waits"] += 1
            # As the product: asking again keeps one's place unless the wait ran out.
            since = self.waiters.get(who)
            if since is None or since < t - WAIT:
                self.waiters[who] = since = t
            self.students[who].present_until = t + stay
            self.push(t + stay, "leave", who)
            self.push(since + WAIT, "wait_end", who)
        else:  # ORA2: "no submissions available", come back later
            self.next_visit(who, t)

    def assign_waiters(self, t: float) -> None:
        failures = 0
        for who in sorted(self.waiters, key=self.waiters.get):
            if who in self.waiters and not self.request(who, t, pushed=True):
                failures += 1
                if failures > 40:
                    break

    def wants_more(self, who: int) -> bool:
        me = self.students[who]
        own = next((s for s in self.subs.values() if s.author == who), None)
        if me.given < MUST_GRADE:
            return True
        return own is not None and own.reached is None and me.given < MUST_GRADE + self.extra

    def next_visit(self, who: int, t: float) -> None:
        d = self.draws[who]
        owes = self.students[who].given < MUST_GRADE
        # Students who owe reviews come back; those only waiting for a score, half the time.
        if self.wants_more(who) and (owes or d.random() < 0.5):
            self.push(t + d.expovariate(1 / (12 * HOUR)), "visit", who)

    def run(self, horizon: float) -> list[Sub]:
        while self.events:
            t, _, kind, who, sub_id = heapq.heappop(self.events)
            if t > horizon:
                break
            me = self.students[who]
            if kind == "submit":
                self.subs[who] = Sub(who, who, t)
                self.assign_waiters(t)
                if not me.never_reviews:
                    self.push(t + self.draws[who].uniform(0, 30) * 60, "visit", who)
            elif kind == "visit":
                if me.holding is not None and not me.opened:
                    self.open_lease(who, t)  # back to work pushed while they were away
                    continue
                if not self.wants_more(who) or me.holding is not None:
                    continue
                if not self.request(who, t):
                    self.wait_or_leave(who, t)
            elif kind == "leave":
                # They close the page. The product cannot tell (no disconnect hook yet):
                # they stay "waiting" until the wait limit, and work pushed meanwhile
                # waits for them only for the short first lease.
                if who in self.waiters or (me.holding is not None and not me.opened):
                    self.next_visit(who, t)
            elif kind == "wait_end":
                since = self.waiters.get(who)
                if since is not None and since <= t - WAIT:
                    del self.waiters[who]
            elif kind in ("complete", "expire"):
                sub = self.subs[sub_id]
                until = sub.leases.get(who)
                if until is None or (kind == "expire" and until > t):
                    continue  # already over, or opened since (a longer lease)
                del sub.leases[who]
                me.holding = None
                if kind == "complete":
                    sub.done += 1
                    sub.reviewed_by.add(who)
                    me.given += 1
                    if sub.done >= GRADED_BY and sub.reached is None:
                        sub.reached = t
                    if me.given < MUST_GRADE:
                        self.push(t + 60, "visit", who)
                    else:
                        self.next_visit(who, t)
                elif not me.opened:  # pushed while away: their next visit is booked
                    self.counts["away_expired"] += 1
                    me.opened = True
                    self.assign_waiters(t)
                else:
                    self.assign_waiters(t)
                    self.next_visit(who, t)
        return list(self.subs.values())


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def describe(subs: list[Sub], horizon: float) -> dict[str, float]:
    times = [(s.reached - s.at) / HOUR for s in subs if s.reached is not None]
    last = sorted(subs, key=lambda s: s.at)[-len(subs) // 20:]  # the last 5 % to submit
    last_times = [(s.reached - s.at) / HOUR for s in last if s.reached is not None]
    return {
        "none": sum(1 for s in subs if s.done == 0),
        "last_none": sum(1 for s in last if s.done == 0),
        "reached": len(times), "total": len(subs),
        "p50": pct(times, 50), "p90": pct(times, 90), "p99": pct(times, 99), "max": max(times),
        "last_reached": len(last_times), "last_total": len(last),
        "last_p50": pct(last_times, 50) if last_times else float("nan"),
        "last_max": max(last_times) if last_times else float("nan"),
    }


def run_sim(n: int, seeds: list[int], extra: int, dropout: float) -> None:
    horizon = 21 * DAY
    print(f"{n} students ({dropout:.0%} never review), must_grade = graded_by = {GRADED_BY}, "
          f"up to {extra} extra reviews per student still without a score, horizon 21 days; "
          "hours from submission to the graded_by-th assessment")
    print("| seed | order | reached graded_by | p50 h | p90 h | p99 h | max h | no review "
          "| last 5 %: reached | p50 h | max h | no review | waits | pushed (away) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes = []
    for seed in seeds:
        reached: dict[bool, dict[int, float | None]] = {}
        for policy, push, name in (("ours", True, "fair + push (ours)"),
                                   ("fifo", True, "FIFO + push"),
                                   ("fifo", False, "FIFO, no push (ORA2)")):
            sim = Sim(n, seed, policy, push, extra, dropout)
            subs = sim.run(horizon)
            d = describe(subs, horizon)
            c = sim.counts
            if policy == "fifo":
                reached[push] = {s.id: s.reached for s in subs}
            print(f"| {seed} | {name} | {d['reached']}/{d['total']} | {d['p50']:.1f} | "
                  f"{d['p90']:.1f} | {d['p99']:.1f} | {d['max']:.1f} | {d['none']} | "
                  f"{d['last_reached']}/{d['last_total']} | {d['last_p50']:.1f} | "
                  f"{d['last_max']:.1f} | {d['last_none']} | {c['waits']} | "
                  f"{c['pushed']} ({c['pushed_away']}) |")
        differ = sum(1 for k, v in reached[True].items() if reached[False].get(k) != v)
        notes.append(f"seed {seed}: FIFO with vs without push: {differ} of {n} responses "
                     "reach graded_by at a different time")
    print()
    for note in notes:
        print(note)


# -- latency, real server + Chromium -------------------------------------------------

def run_latency(trials: int, service: bool) -> None:
    import tempfile
    import time
    import uuid

    import httpx
    from playwright.sync_api import sync_playwright

    from accounts.tokens import issue_token
    from tests.grading_app.live import PASSWORD
    from tests.peer_review.conftest import BLOCK, EXTRA, GOOD, QUICK
    from tests.support.databases import DatabaseFactory, run
    from tests.support.live import server_env
    from tests.support.servers import ServerProcess

    pg = "postgres://postgres@127.0.0.1:5432/test" if service else None
    redis = "redis://127.0.0.1:6379/0" if service else None
    work = Path(tempfile.mkdtemp(prefix="prlat-"))
    factory = DatabaseFactory(pg, work)
    run(factory.prepare())
    env = server_env(factory, work, redis)
    env["COURSEWIRE_HEARTBEAT_SECONDS"] = "600"
    # Short leases, so the lease-expiry case can be timed; the sweep stays at its default
    # 30 s: the expired lease reaches the waiting reviewer by the process's alarm.
    env["COURSEWIRE_PEER_LEASE_HOURS"] = str(LEASE_SECONDS / 3600)
    server = ServerProcess("daphne", env)
    from tests.grading_app.live import _cli, write_course

    _cli(env, "createuser", "prof@example.org", "--name", "Prof", "--password", "-",
         "--course-creator", stdin=PASSWORD + "\n")
    folder = write_course(work / "course", EXTRA)
    _cli(env, "import-course", str(folder), "--publish", "--instructor", "prof@example.org")
    server.start()
    base = server.base
    cid = "course-v1:Test+GR101+2026"
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            def account(email: str) -> dict[str, str]:
                r = c.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                                          "name": email.split("@")[0]})
                uid = r.json()["id"]
                # Tokens minted with the server's key: the login endpoint is rate limited.
                h = {"Authorization": "Bearer " + issue_token(uid, env["SECRET_KEY"], 3600)}
                r = c.put(f"/api/v1/courses/{cid}/members/{uid}", json={"role": "student"},
                          headers=prof)
                assert r.status_code == 200, r.text
                return h

            tok = c.post("/api/v1/auth/token", json={"email": "prof@example.org",
                                                     "password": PASSWORD}).json()
            prof = {"Authorization": f"Bearer {tok['access_token']}"}
            tag = uuid.uuid4().hex[:6]
            reviewer = account(f"rev-{tag}@example.org")
            authors = [account(f"a{i}-{tag}@example.org") for i in range(trials + 3)]
            holder = account(f"hold-{tag}@example.org")
            late = [account(f"q{i}-{tag}@example.org") for i in range(trials)]
            sub = f"/api/v1/courses/{cid}/blocks/{BLOCK}/submissions"
            pr = f"/api/v1/peer-review/{cid}/{BLOCK}"
            assert c.post(sub, json={"answer": {"text": "reviewer's own"}},
                          headers=reviewer).status_code == 202
            # Warm-up: the reviewer does their must_grade (2) first.
            for h in authors[:2]:
                c.post(sub, json={"answer": {"text": "warm-up"}}, headers=h)
            for _ in range(2):
                lease = c.get(f"{pr}/next", headers=reviewer).json()
                c.post(f"/api/v1/peer-review/assignments/{lease['id']}/assessment", json=GOOD,
                       headers=reviewer)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                            args=["--no-sandbox", "--disable-gpu",
                                                  "--disable-background-networking"])
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(base + "/login")
                email = f"rev-{tag}@example.org"
                page.fill("#f-email", email)
                page.fill("#f-password", PASSWORD)
                page.click("#login-form button[type=submit]")
                page.wait_for_url(base + "/")
                page.goto(f"{base}/courses/{cid}/peer-review/{BLOCK}")
                page.wait_for_selector('#live-status[data-state="live"]')
                work = "#pr-work-course_2dv1_3aTest_2bGR101_2b2026-review"
                page.evaluate("""(sel) => {
                  window.assignedAt = null;
                  new MutationObserver(() => {
                    const w = document.querySelector(sel);
                    if (w && w.dataset.state === 'assigned' && !window.assignedAt)
                      window.assignedAt = Date.now();
                  }).observe(document.body, {subtree: true, childList: true,
                                             attributes: true});
                }""", work)
                latencies = []
                for h in authors[2:2 + trials]:
                    assert c.get(f"{pr}/next", headers=reviewer).status_code == 204
                    page.evaluate("window.assignedAt = null")
                    time.sleep(0.2)
                    t0 = time.time() * 1000
                    r = c.post(sub, json={"answer": {"text": f"essay {t0}"}}, headers=h)
                    assert r.status_code == 202, r.text
                    page.wait_for_function("window.assignedAt !== null", timeout=10_000)
                    latencies.append(page.evaluate("window.assignedAt") - t0)
                    lease = c.get(f"{pr}/next", headers=reviewer).json()
                    c.post(f"/api/v1/peer-review/assignments/{lease['id']}/assessment",
                           json=GOOD, headers=reviewer)
                expiry = measure_expiry(c, page, cid, reviewer, holder, late, GOOD, QUICK)
                browser.close()
    finally:
        server.stop()
        run(factory.drop_all())
    mode = "PostgreSQL + Redis" if service else "embedded (SQLite, in-memory layer)"
    print(f"{mode}, daphne, {len(latencies)} trials: submission POST start -> waiting "
          f"reviewer's page shows it: p50 {statistics.median(latencies):.0f} ms, "
          f"p95 {pct(latencies, 95):.0f} ms, max {max(latencies):.0f} ms")
    print(f"{mode}, daphne, {len(expiry)} trials: another reviewer's lease expires "
          f"({LEASE_SECONDS:g} s leases, sweep every 30 s) -> waiting reviewer's page shows "
          f"it: p50 {statistics.median(expiry):.0f} ms, p95 {pct(expiry, 95):.0f} ms, "
          f"max {max(expiry):.0f} ms")


def measure_expiry(c, page, cid: str, reviewer: dict[str, str], holder: dict[str, str],
                   late: list[dict[str, str]], good: dict, block: str) -> list[float]:
    """The lease-expiry case on the `quick` block (graded_by 1): a new response is leased
    to `holder`, who walks away; `reviewer` waits on the page; we time the lease's
    expires_at (server clock = ours) -> the page shows the response to the reviewer."""
    import time
    from datetime import datetime

    sub = f"/api/v1/courses/{cid}/blocks/{block}/submissions"
    pr = f"/api/v1/peer-review/{cid}/{block}"
    for h in (reviewer, holder):  # own responses, then each reviews the other (must_grade 1)
        assert c.post(sub, json={"answer": {"text": "own"}}, headers=h).status_code == 202
    for h in (reviewer, holder):
        lease = c.get(f"{pr}/next", headers=h).json()
        c.post(f"/api/v1/peer-review/assignments/{lease['id']}/assessment", json=good,
               headers=h)
    page.goto(f"{page.url.rsplit('/', 1)[0]}/{block}")
    page.wait_for_selector('#live-status[data-state="live"]')
    work = f"#pr-work-{cid.replace(':', '_').replace('+', '_')}-{block}"
    page.evaluate("""(sel) => {
      window.assignedAt = null;
      new MutationObserver(() => {
        const w = document.querySelector(sel);
        if (w && w.dataset.state === 'assigned' && !window.assignedAt)
          window.assignedAt = Date.now();
      }).observe(document.body, {subtree: true, childList: true, attributes: true});
    }""", work)
    out = []
    for h in late:
        assert c.post(sub, json={"answer": {"text": "late"}}, headers=h).status_code == 202
        held = c.get(f"{pr}/next", headers=holder)
        assert held.status_code == 200, held.text
        expires = datetime.fromisoformat(held.json()["expires_at"]).timestamp() * 1000
        assert c.get(f"{pr}/next", headers=reviewer).status_code == 204  # waits
        page.evaluate("window.assignedAt = null")
        page.wait_for_function("window.assignedAt !== null",
                               timeout=int(LEASE_SECONDS * 1000) + 60_000)
        out.append(page.evaluate("window.assignedAt") - expires)
        lease = c.get(f"{pr}/next", headers=reviewer).json()
        c.post(f"/api/v1/peer-review/assignments/{lease['id']}/assessment", json=good,
               headers=reviewer)
        time.sleep(0.1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sim", help="fair queue vs FIFO simulation")
    s.add_argument("--students", type=int, default=1000)
    s.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    s.add_argument("--extra", type=int, default=3,
                   help="extra reviews a student without a score may do (0: none)")
    s.add_argument("--dropout", type=float, default=0.1,
                   help="fraction of students who submit but never review")
    lat = sub.add_parser("latency", help="eligible -> waiting reviewer's page, real stack")
    lat.add_argument("--trials", type=int, default=40)
    lat.add_argument("--service", action="store_true", help="PostgreSQL + Redis")
    args = parser.parse_args()
    if args.cmd == "sim":
        run_sim(args.students, args.seeds, args.extra, args.dropout)
    else:
        run_latency(args.trials, args.service)


if __name__ == "__main__":
    main()
