"""The instance's job budget (services/budget.py) with a real diskcache record in a
temporary folder, and real processes where owners, leases and concurrency matter."""

import glob
import multiprocessing
import os
import shutil
import signal
import subprocess
import threading
import time

import diskcache
import pytest

from services.budget import (
    Budget,
    DiskcacheState,
    InstanceBusy,
    JobTooLarge,
    Position,
    RedisState,
    Replaced,
    this_owner,
)

SPAWN = multiprocessing.get_context("spawn")


def make_budget(where, jobs=2, memory=1000, **options):
    """A budget whose record is in a diskcache folder, or in Redis for a ``redis://`` URL."""
    options.setdefault("wait_seconds", 0.05)
    where = str(where)
    state = RedisState(where) if where.startswith("redis://") else DiskcacheState(where)
    return Budget(state, jobs=jobs, memory_bytes=memory, **options)


def hold(directory, log, session, kind, key, memory, seconds, jobs=2, budget_memory=1000):
    """In a child process: take a slot, log when the body starts and ends."""
    budget = make_budget(directory, jobs, budget_memory)
    ready_and_wait(log)
    with budget.slot(session, kind, key, memory) as how:
        with open(log, "a") as f:
            f.write(f"start {time.time()} {session} {how}\n")
        time.sleep(seconds)
        with open(log, "a") as f:
            f.write(f"end {time.time()} {session} {how}\n")


def compute_once(directory, log, session, key):
    """In a child process: the memo pattern of services.store inside a slot."""
    budget = make_budget(directory, jobs=4)
    memo = diskcache.Cache(os.path.join(directory, "memo"))
    ready_and_wait(log)
    with budget.slot(session, "clustering", key, 10):
        value = memo.get(key)
        if value is None:
            with open(log, "a") as f:
                f.write(f"computed {session}\n")
            time.sleep(0.8)
            value = f"answer for {key}"
            memo.set(key, value)
    with open(log, "a") as f:
        f.write(f"got {session} {value}\n")


def ready_and_wait(log):
    """Say this child is ready, then wait for the word: all children start their jobs together."""
    open(f"{log}.ready.{os.getpid()}", "w").close()
    while not os.path.exists(f"{log}.go"):
        time.sleep(0.01)


def run_children(targets):
    processes = [
        SPAWN.Process(target=hold if len(a) > 4 else compute_once, args=a) for a in targets
    ]
    for p in processes:
        p.start()
    log = targets[0][1]
    deadline = time.time() + 60  # spawning is slow on a busy machine
    while len(glob.glob(f"{log}.ready.*")) < len(targets):
        assert time.time() < deadline
        time.sleep(0.02)
    open(f"{log}.go", "w").close()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    return processes


def max_overlap(log):
    events = []
    for line in open(log):
        what, when, *_ = line.split()
        events.append((float(when), 1 if what == "start" else -1))
    level = peak = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        level += step
        peak = max(peak, level)
    return peak


class TestConcurrency:
    def test_no_more_jobs_run_at_once_than_the_budget_allows(self, tmp_path):
        log = tmp_path / "log"
        run_children(
            [(str(tmp_path), str(log), f"s{i}", "clustering", f"k{i}", 1, 0.6) for i in range(5)]
        )
        assert max_overlap(log) == 2  # jobs=2: never three, and two do run together

    def test_the_running_jobs_memory_estimates_stay_within_the_budget(self, tmp_path):
        log = tmp_path / "log"
        # 600 + 600 > 1000: one at a time, although two slots are free
        run_children(
            [(str(tmp_path), str(log), f"s{i}", "clustering", f"k{i}", 600, 0.4) for i in range(3)]
        )
        assert max_overlap(log) == 1

    def test_a_job_larger_than_the_whole_budget_is_refused_naming_it(self, tmp_path):
        budget = make_budget(tmp_path, memory=100 * 2**20)
        with pytest.raises(JobTooLarge, match=r"about 200 MB.*100 MB \(INSTANCE_MEMORY_MB\)"):
            with budget.slot("s", "clustering", "k", 200 * 2**20):
                pass
        assert budget.snapshot() == {}

    def test_a_full_queue_refuses_new_jobs(self, tmp_path):
        budget = make_budget(tmp_path, jobs=1, max_queued=1)
        release = threading.Event()
        started = threading.Event()

        def running():
            with budget.slot("a", "clustering", "ka", 1):
                started.set()
                release.wait(10)

        threads = [threading.Thread(target=running)]
        threads[0].start()
        started.wait(10)

        def waiting():
            with budget.slot("b", "clustering", "kb", 1):
                pass

        threads.append(threading.Thread(target=waiting))
        threads[1].start()
        deadline = time.time() + 10
        while sum(t["state"] == "queued" for t in budget.snapshot().values()) < 1:
            assert time.time() < deadline
            time.sleep(0.02)
        with pytest.raises(InstanceBusy, match="1 jobs are waiting"):
            with budget.slot("c", "clustering", "kc", 1):
                pass
        release.set()
        for t in threads:
            t.join(10)


class TestFairShare:
    def test_a_session_runs_one_job_at_a_time_while_others_run_in_parallel(self, tmp_path):
        log = tmp_path / "log"
        run_children(
            [
                (str(tmp_path), str(log), "same", "clustering", "k1", 1, 0.5, 4),
                (str(tmp_path), str(log), "same", "quality", "k2", 1, 0.5, 4),
            ]
        )
        assert max_overlap(log) == 1
        log2 = tmp_path / "log2"
        run_children(
            [
                (str(tmp_path), str(log2), "one", "clustering", "k1", 1, 0.5, 4),
                (str(tmp_path), str(log2), "two", "clustering", "k2", 1, 0.5, 4),
            ]
        )
        assert max_overlap(log2) == 2

    def test_a_newer_request_replaces_the_sessions_queued_one(self, tmp_path):
        budget = make_budget(tmp_path, jobs=1)
        release = threading.Event()
        started = threading.Event()
        outcome = {}

        def first():
            with budget.slot("other", "clustering", "k0", 1):
                started.set()
                release.wait(10)

        def queued(name, key):
            try:
                with budget.slot("mine", "clustering", key, 1):
                    outcome[name] = "ran"
            except Replaced:
                outcome[name] = "replaced"

        holder = threading.Thread(target=first)
        holder.start()
        started.wait(10)
        old = threading.Thread(target=queued, args=("old", "k1"))
        old.start()
        time.sleep(0.3)
        new = threading.Thread(target=queued, args=("new", "k2"))
        new.start()
        old.join(10)
        assert outcome == {"old": "replaced"}  # gone before any slot was free
        release.set()
        new.join(10)
        holder.join(10)
        assert outcome == {"old": "replaced", "new": "ran"}

    def test_a_waiting_job_says_how_many_jobs_are_ahead(self, tmp_path):
        budget = make_budget(tmp_path, jobs=1)
        release = threading.Event()
        seen = []
        threads = []

        def job(session, on_wait=None):
            with budget.slot(session, "clustering", f"k-{session}", 1, on_wait=on_wait):
                release.wait(10)

        for session in ("a", "b", "c"):
            threads.append(threading.Thread(target=job, args=(session,)))
            threads[-1].start()
            time.sleep(0.2)  # a runs; b, c queue in this order
        threads.append(threading.Thread(target=job, args=("d", seen.append)))
        threads[-1].start()
        deadline = time.time() + 10
        while not seen:
            assert time.time() < deadline
            time.sleep(0.02)
        assert seen[0] == Position(ahead=2, running=1, reason="queue")
        assert seen[0].describe() == "Queued: 2 jobs ahead of yours (1 running)."
        release.set()
        for t in threads:
            t.join(20)


class TestCoalescing:
    def test_identical_work_is_computed_once_and_every_session_gets_it(self, tmp_path):
        log = tmp_path / "log"
        run_children([(str(tmp_path), str(log), f"s{i}", "same-key") for i in range(4)])
        lines = open(log).read().splitlines()
        assert sum(line.startswith("computed") for line in lines) == 1
        assert sorted(line for line in lines if line.startswith("got")) == [
            f"got s{i} answer for same-key" for i in range(4)
        ]

    def test_followers_of_a_job_that_failed_compute_it_themselves(self, tmp_path):
        budget = make_budget(tmp_path, jobs=2)
        started = threading.Event()
        fail = threading.Event()
        ran = []

        def leader():
            with pytest.raises(RuntimeError):
                with budget.slot("a", "clustering", "same", 1):
                    started.set()
                    fail.wait(10)
                    raise RuntimeError("the leader died")

        def follower():
            with budget.slot("b", "clustering", "same", 1) as how:
                ran.append(how)

        threads = [threading.Thread(target=leader)]
        threads[0].start()
        started.wait(10)
        threads.append(threading.Thread(target=follower))
        threads[1].start()
        time.sleep(0.3)
        assert ran == []  # waits for the leader rather than computing the same thing
        fail.set()
        for t in threads:
            t.join(10)
        assert ran == ["run"]  # no memo to read: it takes a slot and computes


def sleep_in_slot(directory, ready):
    budget = make_budget(directory, jobs=1)
    with budget.slot("holder", "clustering", "held", 1):
        open(ready, "w").close()
        time.sleep(60)


class TestLeases:
    def test_a_killed_job_gives_its_slot_back(self, tmp_path):
        ready = tmp_path / "ready"
        holder = SPAWN.Process(target=sleep_in_slot, args=(str(tmp_path), str(ready)))
        holder.start()
        deadline = time.time() + 30
        while not ready.exists():
            assert time.time() < deadline
            time.sleep(0.05)
        budget = make_budget(tmp_path, jobs=1)
        assert [t["session"] for t in budget.snapshot().values()] == ["holder"]
        os.kill(holder.pid, signal.SIGKILL)  # no chance to release anything
        holder.join(10)
        start = time.time()
        with budget.slot("next", "clustering", "k", 1) as how:
            assert how == "run"
        assert time.time() - start < 2

    def test_an_unrenewed_lease_expires(self, tmp_path):
        budget = make_budget(tmp_path, jobs=1)

        def plant(record):  # a job on another host that stopped renewing its lease
            record.setdefault("tickets", {})["ghost"] = {
                "id": "ghost",
                "session": "s",
                "kind": "clustering",
                "key": "g",
                "memory": 1,
                "owner": ("another-host", 1, 0.0),
                "state": "running",
                "seq": 0,
                "lease_until": time.time() + 0.5,
            }

        budget.state.update(plant)
        assert list(budget.snapshot()) == ["ghost"]  # still leased: holds the only slot
        start = time.time()
        with budget.slot("next", "clustering", "k", 1):
            waited = time.time() - start
        assert 0.3 < waited < 3

    def test_a_running_job_renews_its_lease(self, tmp_path):
        budget = make_budget(tmp_path, jobs=1, lease_seconds=0.4)
        with budget.slot("s", "clustering", "k", 1):
            time.sleep(1.0)  # more than twice the lease
            (ticket,) = budget.snapshot().values()
            assert ticket["state"] == "running" and tuple(ticket["owner"]) == this_owner()

    def test_an_abandoned_waiting_job_leaves_the_queue(self, tmp_path):
        from services.budget import Abandoned

        budget = make_budget(tmp_path, jobs=1)
        release = threading.Event()
        started = threading.Event()

        def holder():
            with budget.slot("a", "clustering", "ka", 1):
                started.set()
                release.wait(10)

        thread = threading.Thread(target=holder)
        thread.start()
        started.wait(10)
        with pytest.raises(Abandoned):
            with budget.slot("b", "clustering", "kb", 1, abandoned=lambda: True):
                pass
        assert [t["session"] for t in budget.snapshot().values()] == ["a"]
        release.set()
        thread.join(10)


@pytest.fixture
def redis_url():
    """A private redis-server on a free loopback port (hosted mode keeps the record there)."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs Debian's redis-server")
    from devtools.local_app import free_port

    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.time() < deadline
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


class TestRedisRecord:
    def test_no_more_jobs_run_at_once_than_the_budget_allows(self, redis_url, tmp_path):
        log = tmp_path / "log"
        run_children(
            [(redis_url, str(log), f"s{i}", "clustering", f"k{i}", 1, 0.6) for i in range(4)]
        )
        assert max_overlap(log) == 2

    def test_a_killed_job_gives_its_slot_back(self, redis_url, tmp_path):
        ready = tmp_path / "ready"
        holder = SPAWN.Process(target=sleep_in_slot, args=(redis_url, str(ready)))
        holder.start()
        deadline = time.time() + 30
        while not ready.exists():
            assert time.time() < deadline
            time.sleep(0.05)
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(10)
        with make_budget(redis_url, jobs=1).slot("next", "clustering", "k", 1) as how:
            assert how == "run"
