"""Slowing down repeated failed logins from one address: a small, growing delay, in line."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class _Record:
    failures: int
    last: float
    answer_at: float = 0.0  # when the last "no" to this address is (or was) sent


class LoginThrottle:
    """Per-address backoff: after n recent failures, the next failed login is told
    "no" only after `base * 2**(n-1)` seconds (capped). Attempts made in parallel wait
    in line, each after the one before it, so many at once are no faster than one
    after another. Only failures wait: the server asks this throttle nothing about a
    key it knows. Failures are forgotten after `window` quiet seconds, and a
    successful login clears them."""

    def __init__(self, base: float = 0.5, cap: float = 10.0, window: float = 600.0,
                 clock: Callable[[], float] = time.monotonic, max_addresses: int = 10_000) -> None:
        self.base, self.cap, self.window = base, cap, window
        self._clock = clock
        self._max = max_addresses
        self._records: dict[str, _Record] = {}

    def failures(self, address: str) -> int:
        record = self._records.get(address)
        if record is None:
            return 0
        if self._clock() - record.last > self.window:
            del self._records[address]
            return 0
        return record.failures

    def delay(self, address: str) -> float:
        """Seconds to wait before answering a login from `address`."""
        failures = self.failures(address)
        if failures == 0:
            return 0.0
        return min(self.cap, self.base * 2.0 ** min(failures - 1, 30))

    def refuse(self, address: str) -> float:
        """Count one failed login from `address`; returns the seconds to wait before saying
        no: its backoff, after the answers to its attempts still waiting."""
        now = self._clock()
        delay = self.delay(address)
        record = self._record(address, now)
        answer_at = max(now, record.answer_at) + delay
        record.failures += 1
        record.answer_at = answer_at
        return answer_at - now

    def failed(self, address: str) -> None:
        """Count a failed login that had nothing to wait on (no key offered, say)."""
        self._record(address, self._clock()).failures += 1

    def _record(self, address: str, now: float) -> _Record:
        if self.failures(address) == 0:
            self._records.pop(address, None)
        record = self._records.get(address)
        if record is None:
            if len(self._records) >= self._max:
                self._forget_old(now)
            record = self._records[address] = _Record(0, now)
        record.last = now
        return record

    def succeeded(self, address: str) -> None:
        self._records.pop(address, None)

    def _forget_old(self, now: float) -> None:
        # Bounded memory when many addresses knock: drop the stale, then the oldest.
        for address in [a for a, r in self._records.items() if now - r.last > self.window]:
            del self._records[address]
        while len(self._records) >= self._max:
            oldest = min(self._records, key=lambda a: self._records[a].last)
            del self._records[oldest]
