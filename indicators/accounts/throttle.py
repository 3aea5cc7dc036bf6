"""Failed logins: the growing wait after repeated failures (per user name and per session), and the login check.

The failures are kept in the server's memory (LoginThrottle), not in the users file. A check is atomic per key:
while one password check for a name (or session) is running, another attempt for it is refused at once with a
short wait, so many sessions at once still get one bcrypt check at a time, each seeing the failures before it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from indicators.accounts.users_file import User, UsersFile

# Failed logins: the first FREE_FAILURES cost nothing extra; each further one doubles the wait.
FREE_FAILURES = 3
BASE_DELAY_SECONDS = 2.0  # the wait after the FREE_FAILURES-th failure
MAX_DELAY_SECONDS = 15 * 60.0
FORGET_AFTER_SECONDS = 24 * 3600.0  # failures older than this no longer count
MAX_THROTTLE_KEYS = 10_000  # an attacker inventing names cannot grow the table without bound
BUSY_WAIT_SECONDS = 1.0  # what an attempt is told while another check of the same name is running


def delay_after(failures: int) -> float:
    """Seconds a login must wait after `failures` failures in a row: 0, 0, 2, 4, 8, … up to MAX_DELAY_SECONDS."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(BASE_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


@dataclass
class LoginThrottle:
    """Failed logins per key ("user:NAME", "session:ID"), kept in the server's memory."""

    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    _checking: set[str] = field(default_factory=set)  # keys whose password check is running now
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, keys: Sequence[str]) -> float:
        """Reserve a password check for these keys: 0 when it may run now (call `end` after it), else the seconds to
        wait (the keys' failures ask for a wait, or another check of one of them is running)."""
        now = self.clock()
        with self._lock:
            wait = max([0.0, *(last + delay_after(count) - now for count, last in
                               (self._failures.get(k, (0, now)) for k in keys))])
            if wait > 0:
                return wait
            if self._checking.intersection(keys):
                return BUSY_WAIT_SECONDS
            self._checking.update(keys)
            return 0.0

    def end(self, keys: Sequence[str], *, ok: bool) -> None:
        """Record the reserved check's outcome and release its keys."""
        try:
            if ok:
                self.success(keys)
            else:
                self.failure(keys)
        finally:
            with self._lock:
                self._checking.difference_update(keys)

    def wait_seconds(self, keys: Iterable[str]) -> float:
        """How long until any of these keys may try again (0 when they may now)."""
        now = self.clock()
        with self._lock:
            waits = [last + delay_after(count) - now for count, last in
                     (self._failures.get(k, (0, now)) for k in keys)]
        return max([0.0, *waits])

    def failure(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                count, last = self._failures.get(key, (0, now))
                if now - last > FORGET_AFTER_SECONDS:
                    count = 0
                self._failures[key] = (count + 1, now)
            if len(self._failures) > MAX_THROTTLE_KEYS:
                oldest = sorted(self._failures, key=lambda k: self._failures[k][1])[: len(self._failures) - MAX_THROTTLE_KEYS]
                for key in oldest:
                    del self._failures[key]

    def success(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def failures(self, key: str) -> int:
        with self._lock:
            return self._failures.get(key, (0, 0.0))[0]


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    wait_seconds: float = 0.0  # > 0: refused without checking, try again after this long

    @property
    def ok(self) -> bool:
        return self.user is not None


def attempt_login(users: UsersFile, throttle: LoginThrottle, name: str, password: str, *, extra_keys: Sequence[str] = ()) -> LoginOutcome:
    """Check a password login, honouring the slowdown of repeated failures for the name and the given keys."""
    keys = [f"user:{name}", *extra_keys]
    wait = throttle.begin(keys)
    if wait > 0:
        return LoginOutcome(None, math.ceil(wait))
    user = None
    try:
        user = users.authenticate(name, password)
    finally:
        throttle.end(keys, ok=user is not None)
    return LoginOutcome(user)
