"""The peer review clocks: when a waiting reviewer has given up, and when an open lease
counts as stuck on the staff board. The settings' clocks themselves are peer_review.timing
(bound by the Runtime)."""

from __future__ import annotations

from datetime import datetime, timedelta

from peer_review.timing import Timing, timing

__all__ = ["STUCK_AFTER", "Timing", "timing", "waiting_after"]


def waiting_after(at: datetime) -> datetime:
    """Reviewers who started waiting before this have given up (the wait setting)."""
    return at - timing().wait


STUCK_AFTER = timedelta(hours=1)
