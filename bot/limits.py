"""Per-user state of the bot, bounded: a stranger costs nothing once they are gone.

Every structure keyed by a user or chat forgets keys by age or by least recent use, so a flood
of distinct users cannot grow memory or the log without bound.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum

# At most this many users are tracked by the rate limiter (about 200 B each); more in one
# window than the bot can answer anyway. Beyond it the least recently seen are forgotten.
MAX_TRACKED_USERS = 50_000
# Chats told once that they are not allowed; one forgotten hears it again.
MAX_REFUSED_CHATS = 10_000
# Repeated log events are summed up in one line per this many seconds.
SUMMARY_INTERVAL = 60.0

Clock = Callable[[], float]


class Verdict(Enum):
    OK = "ok"
    NOTIFY = "notify"  # over the limit: tell the user once per window
    DROP = "drop"  # over the limit and already told


class RateLimiter:
    """At most ``limit`` events per ``period`` seconds per key (a sliding window).

    Keys are kept in order of their last check; a key whose window is empty is forgotten
    at the next check of any key, so the limiter holds only the users of the last period.
    """

    def __init__(self, limit: int, period: float = 60.0, clock: Clock = time.monotonic,
                 max_keys: int = MAX_TRACKED_USERS) -> None:
        self.limit, self.period, self._clock = limit, period, clock
        self._max_keys = max_keys
        self._events: OrderedDict[int, list[float]] = OrderedDict()  # a list is ~10x smaller
        self._told: dict[int, float] = {}  # key -> end of the window we told them about

    def __len__(self) -> int:
        return len(self._events)

    def check(self, key: int) -> Verdict:
        if self.limit <= 0:
            return Verdict.OK
        now = self._clock()
        self._expire(now)
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = []
        else:
            self._events.move_to_end(key)
        start = 0
        while start < len(events) and events[start] <= now - self.period:
            start += 1
        del events[:start]
        if len(events) < self.limit:
            events.append(now)
            return Verdict.OK
        if self._told.get(key, 0.0) > now:
            return Verdict.DROP
        self._told[key] = events[0] + self.period
        return Verdict.NOTIFY

    def _expire(self, now: float) -> None:
        # The notice window ends at most one period after a key's last event, so a key
        # whose last event left the window owes nothing and can go.
        while self._events:
            key, events = next(iter(self._events.items()))
            if len(self._events) < self._max_keys and events and events[-1] > now - self.period:
                return
            del self._events[key]
            self._told.pop(key, None)


class RecentIds:
    """The last ``size`` update ids, to drop an update the server delivers twice."""

    def __init__(self, size: int = 10_000) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self._size = size

    def seen(self, update_id: int) -> bool:
        """True if ``update_id`` was already seen; remembers it otherwise."""
        if update_id in self._ids:
            return True
        self._ids.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())
        return False


class RecentSet:
    """A set of at most ``size`` keys; adding one more forgets the least recently used."""

    def __init__(self, size: int = MAX_REFUSED_CHATS) -> None:
        self._keys: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: int) -> bool:
        """True if ``key`` is new (it is remembered now), False if it was already there."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return True


class LogSummary:
    """One log line per interval for an event that may repeat for every update of a flood.

    The first event after a quiet interval is logged at once with its own key; the rest are
    counted, and one line per ``interval`` says how many there were and from how many keys.
    """

    def __init__(self, logger: logging.Logger, first: str, summary: str, *,
                 interval: float = SUMMARY_INTERVAL, clock: Clock = time.monotonic,
                 max_keys: int = 10_000) -> None:
        # first: "... %s ..." with the key; summary: "... %d ... %d ... %.0f ..." with the
        # count, the keys and the seconds.
        self._logger, self._first, self._summary = logger, first, summary
        self._interval, self._clock, self._max_keys = interval, clock, max_keys
        self._window_end: float | None = None
        self._count = 0
        self._keys: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None

    def add(self, key: int) -> None:
        now = self._clock()
        if self._window_end is not None and now >= self._window_end:
            self.flush()
        if self._window_end is None:
            self._logger.info(self._first, key)
            self._open(now)
            return
        self._count += 1
        if len(self._keys) < self._max_keys:
            self._keys.add(key)

    def flush(self) -> None:
        """Logs the events counted so far (if any); a new window opens only if there were."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._count:
            self._window_end = None
            return
        keys = len(self._keys)
        self._logger.info(self._summary, self._count, keys, self._interval)
        self._count, self._keys = 0, set()
        self._open(self._clock())

    def _open(self, now: float) -> None:
        self._window_end = now + self._interval
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a plain call): flushed by the next add
            return
        self._timer = loop.call_later(self._interval, self.flush)
