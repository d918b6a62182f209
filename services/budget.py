"""The instance's job budget: how many background jobs run at once, and how much memory they hold.

Dash starts a process (or a Celery task) for every background request. This
module decides, from a record every worker and job shares, when such a job
may start its expensive work:

- at most ``jobs`` run at once, and the memory estimates of those running
  add up to at most ``memory_bytes``;
- a session runs at most one job at a time, and has at most one queued job
  of each kind: a newer request replaces the queued one (fair share);
- identical work (the same result key) is computed once: a second request
  follows the first and, when it is done, reads its memo without a slot;
- the queue is first come, first served, and a waiting job learns how many
  jobs are ahead of it.

The record is one value in a shared store (a diskcache directory, or Redis),
changed only inside the store's lock. Every entry is a lease: it names its
owner (host, pid, process start time) and an expiry that the owner renews.
An entry whose owner has died, or whose lease ran out, is dropped by the
next process that reads the record, so a killed job never holds a slot.

Nothing here imports Dash; :mod:`services.jobs` wires it into the callbacks.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import socket
import threading
import time
import uuid
from dataclasses import dataclass

# How long a finished key lets followers read its memo without a slot.
DONE_SECONDS = 120
_STATE_KEY = "budget:state"


class JobRefused(Exception):
    """The job cannot run; the message says why, for the page."""


class JobTooLarge(JobRefused):
    """The job's memory estimate alone exceeds the instance's budget."""


class InstanceBusy(JobRefused):
    """The queue is full."""


class JobDropped(Exception):
    """The job was taken out of the queue: nobody will read its answer."""


class Replaced(JobDropped):
    """A newer request of the same session took this queued job's place."""


class Abandoned(JobDropped):
    """Nobody has asked for this job's answer for too long."""


@dataclass(frozen=True)
class Position:
    """Where a waiting job stands.

    Attributes
    ----------
    ahead : int
        Queued jobs that will start before this one.
    running : int
        Jobs running on the instance now.
    reason : str
        ``"queue"`` (waiting for a slot or for memory), ``"session"`` (this
        session's other job runs first) or ``"same-work"`` (the same result is
        being computed for another request; this one will read it).
    """

    ahead: int
    running: int
    reason: str

    def describe(self) -> str:
        """The sentence the page shows while the job waits."""
        if self.reason == "same-work":
            return "Queued: the same computation is already running; its result will be shown here."
        if self.reason == "session":
            return "Queued: waiting for this page's other job to finish."
        if self.ahead == 0:
            return f"Queued: next to start, when one of the {self.running} running jobs ends."
        return (
            f"Queued: {self.ahead} job{'s' if self.ahead != 1 else ''} ahead of yours "
            f"({self.running} running)."
        )


# ---------------------------------------------------------------------------
# Where the record lives


class DiskcacheState:
    """The record in a diskcache directory; changes run in one SQLite transaction."""

    def __init__(self, directory: str):
        import diskcache

        self._cache = diskcache.Cache(directory)

    def update(self, change):
        """Apply ``change(record) -> result`` atomically across processes; return the result."""
        with self._cache.transact(retry=True):
            record = self._cache.get(_STATE_KEY) or {}
            result = change(record)
            self._cache.set(_STATE_KEY, record)
        return result

    def set_mark(self, key: str, value, expire: float) -> None:
        self._cache.set(f"budget:mark:{key}", value, expire=expire)

    def get_mark(self, key: str):
        return self._cache.get(f"budget:mark:{key}")


class RedisState:
    """The record in Redis, changed under a Redis lock (redis-py's ``Lock``)."""

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url)

    def update(self, change):
        with self._redis.lock("hclust:budget:lock", timeout=10, blocking_timeout=30):
            raw = self._redis.get(_STATE_KEY)
            record = pickle.loads(raw) if raw else {}
            result = change(record)
            self._redis.set(_STATE_KEY, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        return result

    def set_mark(self, key: str, value, expire: float) -> None:
        self._redis.set(f"budget:mark:{key}", pickle.dumps(value), ex=max(1, int(expire)))

    def get_mark(self, key: str):
        raw = self._redis.get(f"budget:mark:{key}")
        return None if raw is None else pickle.loads(raw)


# ---------------------------------------------------------------------------
# Owners: a lease is held by one process


def this_owner() -> tuple:
    """(host, pid, process start time): a pid alone can be reused."""
    import psutil

    pid = os.getpid()
    return socket.gethostname(), pid, psutil.Process(pid).create_time()


def owner_alive(owner: tuple) -> bool:
    """Whether the process that took a lease still runs (unknown on another host: True)."""
    import psutil

    host, pid, created = owner
    if host != socket.gethostname():
        return True  # another machine's Celery worker: its lease expiry decides
    try:
        process = psutil.Process(pid)
        return process.create_time() == created and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# ---------------------------------------------------------------------------
# The budget


class Budget:
    """Admission of background jobs against the instance's limits.

    Parameters
    ----------
    state : DiskcacheState or RedisState
        Where the shared record lives.
    jobs : int
        Jobs that may run at once.
    memory_bytes : int
        Sum of the memory estimates of the running jobs may not exceed this.
    max_queued : int
        Jobs that may wait at once; past this a new job is refused.
    lease_seconds : float
        A lease not renewed for this long is dropped (its owner is presumed dead).
    wait_seconds : float
        How often a waiting job looks at the record again.
    """

    def __init__(
        self,
        state,
        jobs: int,
        memory_bytes: int,
        max_queued: int = 32,
        lease_seconds: float = 30.0,
        wait_seconds: float = 0.25,
    ):
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.state = state
        self.jobs = int(jobs)
        self.memory_bytes = int(memory_bytes)
        self.max_queued = int(max_queued)
        self.lease_seconds = float(lease_seconds)
        self.wait_seconds = float(wait_seconds)

    # --- the record -------------------------------------------------------

    def _purge(self, record: dict, now: float) -> None:
        tickets = record.setdefault("tickets", {})
        for ticket_id, ticket in list(tickets.items()):
            if ticket["lease_until"] < now or not owner_alive(ticket["owner"]):
                del tickets[ticket_id]
        done = record.setdefault("done", {})
        for key, when in list(done.items()):
            if when < now - DONE_SECONDS:
                del done[key]

    def _schedule(self, tickets: dict) -> set:
        """Queued tickets that may start now, first come first served.

        A session with a running job is skipped (fair share); the first
        queued job that does not fit stops the walk, so large jobs are not
        overtaken for ever by smaller ones.
        """
        running = [t for t in tickets.values() if t["state"] == "running"]
        count = len(running)
        memory = sum(t["memory"] for t in running)
        sessions = {t["session"] for t in running}
        granted = set()
        for ticket in sorted(
            (t for t in tickets.values() if t["state"] == "queued"), key=lambda t: t["seq"]
        ):
            if ticket["session"] in sessions:
                continue
            if count >= self.jobs or memory + ticket["memory"] > self.memory_bytes:
                break
            granted.add(ticket["id"])
            count += 1
            memory += ticket["memory"]
            sessions.add(ticket["session"])
        return granted

    def snapshot(self) -> dict:
        """A copy of the live tickets (for tests and the benchmark)."""

        def read(record):
            self._purge(record, time.time())
            return {k: dict(v) for k, v in record["tickets"].items()}

        return self.state.update(read)

    # --- a job's life -----------------------------------------------------

    def _enqueue(self, session: str, kind: str, key: str, memory: int) -> str:
        if memory > self.memory_bytes:
            raise JobTooLarge(
                f"This job needs about {memory / 2**20:,.0f} MB, more than the whole instance's "
                f"budget of {self.memory_bytes / 2**20:,.0f} MB (INSTANCE_MEMORY_MB)."
            )
        ticket_id = uuid.uuid4().hex
        owner = this_owner()

        def add(record):
            now = time.time()
            self._purge(record, now)
            tickets = record["tickets"]
            for other in list(tickets.values()):
                # a newer request replaces the session's waiting one of the same kind
                if (
                    other["session"] == session
                    and other["kind"] == kind
                    and other["state"] in ("queued", "following")
                ):
                    del tickets[other["id"]]
            waiting = sum(t["state"] == "queued" for t in tickets.values())
            if waiting >= self.max_queued:
                raise InstanceBusy(
                    f"The instance is busy: {waiting} jobs are waiting (the limit is "
                    f"{self.max_queued}). Try again in a minute."
                )
            record["seq"] = record.get("seq", 0) + 1
            tickets[ticket_id] = {
                "id": ticket_id,
                "session": session,
                "kind": kind,
                "key": key,
                "memory": int(memory),
                "owner": owner,
                "state": "queued",
                "seq": record["seq"],
                "lease_until": now + self.lease_seconds,
            }

        self.state.update(add)
        return ticket_id

    def _step(self, ticket_id: str):
        """One look at the record: ``("run"|"memo"|"gone", None)`` or ``("wait", Position)``."""

        def step(record):
            now = time.time()
            self._purge(record, now)
            tickets = record["tickets"]
            me = tickets.get(ticket_id)
            if me is None:
                return "gone", None
            me["lease_until"] = now + self.lease_seconds
            if me["state"] == "running":
                return "run", None
            leaders = [
                t
                for t in tickets.values()
                if t["key"] == me["key"]
                and t["id"] != ticket_id
                and t["state"] in ("queued", "running")
                and t["seq"] < me["seq"]
            ]
            running = sum(t["state"] == "running" for t in tickets.values())
            if leaders:
                me["state"] = "following"
                return "wait", Position(0, running, "same-work")
            if me["state"] == "following":
                if me["key"] in record["done"]:
                    del tickets[ticket_id]  # the leader's memo is there: read it, no slot
                    return "memo", None
                me["state"] = "queued"  # the leader gave up: take its turn, by arrival
            granted = self._schedule(tickets)
            if ticket_id in granted:
                me["state"] = "running"
                return "run", None
            running += len(granted)  # about to start: no longer ahead in the queue
            if any(
                t["session"] == me["session"] and t["state"] == "running" for t in tickets.values()
            ):
                return "wait", Position(0, running, "session")
            ahead = sum(
                t["state"] == "queued" and t["seq"] < me["seq"] and t["id"] not in granted
                for t in tickets.values()
            )
            return "wait", Position(ahead, running, "queue")

        return self.state.update(step)

    def _renew(self, ticket_id: str) -> bool:
        def renew(record):
            ticket = record.setdefault("tickets", {}).get(ticket_id)
            if ticket is not None:
                ticket["lease_until"] = time.time() + self.lease_seconds
            return ticket is not None

        return self.state.update(renew)

    def _release(self, ticket_id: str, key: str, done: bool) -> None:
        def release(record):
            record.setdefault("tickets", {}).pop(ticket_id, None)
            if done:
                record.setdefault("done", {})[key] = time.time()

        self.state.update(release)

    def release_owned(self) -> None:
        """Drop every ticket this process holds (before it ends itself)."""
        owner = this_owner()

        def release(record):
            tickets = record.setdefault("tickets", {})
            for ticket_id, ticket in list(tickets.items()):
                if tuple(ticket["owner"]) == owner:
                    del tickets[ticket_id]

        self.state.update(release)

    @contextlib.contextmanager
    def slot(self, session: str, kind: str, key: str, memory: int, on_wait=None, abandoned=None):
        """Wait for a turn, hold it while the body runs, give it back.

        Parameters
        ----------
        session : str
            The requesting session (one running job each).
        kind : str
            The request's kind: a newer queued request of the same session and
            kind replaces this one.
        key : str
            Names the result; jobs with the same key are computed once.
        memory : int
            Estimated peak bytes of the work.
        on_wait : callable, optional
            Called with a :class:`Position` whenever the job's place changes.
        abandoned : callable, optional
            Returns True when nobody waits for the answer any more.

        Yields
        ------
        str
            ``"run"`` (the body holds a slot) or ``"memo"`` (identical work
            has just finished: the body reads its result without a slot).

        Raises
        ------
        JobRefused
            The job can never fit, or the queue is full.
        Replaced, Abandoned
            The job left the queue without running.
        """
        ticket_id = self._enqueue(session, kind, key, memory)
        last = None
        try:
            while True:
                outcome, position = self._step(ticket_id)
                if outcome == "gone":
                    raise Replaced("A newer request of this session replaced this one.")
                if outcome in ("run", "memo"):
                    break
                if abandoned is not None and abandoned():
                    raise Abandoned("Nobody asked for this job's answer for too long.")
                if position != last and on_wait is not None:
                    on_wait(position)
                last = position
                time.sleep(self.wait_seconds)
        except BaseException:
            self._release(ticket_id, key, done=False)
            raise
        if outcome == "memo":
            yield "memo"
            return
        stop = threading.Event()
        keeper = threading.Thread(target=self._keep, args=(ticket_id, stop), daemon=True)
        keeper.start()
        finished = False
        try:
            yield "run"
            finished = True
        finally:
            stop.set()
            keeper.join()
            self._release(ticket_id, key, done=finished)

    def _keep(self, ticket_id: str, stop: threading.Event) -> None:
        """Renew the lease of a running job until it ends."""
        for _ in itertools.count():
            if stop.wait(self.lease_seconds / 4):
                return
            with contextlib.suppress(Exception):  # a busy store: the next renewal will do
                self._renew(ticket_id)
