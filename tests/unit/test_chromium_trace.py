"""devtools/chromium_trace.py's reading of a trace's events (the browser side is
tests/browser/test_chromium_trace.py)."""

from devtools.chromium_trace import main_thread_tasks

# the main thread of a renderer, as a trace names it
MAIN = {"ph": "M", "name": "thread_name", "pid": 7, "tid": 7, "args": {"name": "CrRendererMain"}}


def test_only_renderer_main_threads_tasks_and_a_missing_thread_time_is_the_wall_time():
    """A task the trace gives no thread time counts its wall time, never 0: ins014 would
    otherwise pass it whatever its length."""
    events = [
        MAIN,
        {"ph": "M", "name": "thread_name", "pid": 7, "tid": 9, "args": {"name": "Compositor"}},
        {"ph": "X", "name": "RunTask", "pid": 7, "tid": 7, "ts": 20, "dur": 300_000},
        {"ph": "X", "name": "RunTask", "pid": 7, "tid": 7, "ts": 10, "dur": 5_000, "tdur": 4_000},
        {"ph": "X", "name": "RunTask", "pid": 7, "tid": 9, "ts": 30, "dur": 900_000},
    ]
    tasks = main_thread_tasks(events)
    assert [(task.start_us, task.wall_ms, task.thread_ms, task.timed) for task in tasks] == [
        (10, 5.0, 4.0, True),
        (20, 300.0, 300.0, False),
    ]


def test_a_task_still_running_when_the_trace_ended_lasts_until_its_last_event():
    """Chromium writes a task that has not ended as a begin without an end: left out, a
    freeze that outlasts the trace would never count."""
    events = [
        MAIN,
        {"ph": "X", "name": "RunTask", "pid": 7, "tid": 7, "ts": 0, "dur": 1_000, "tdur": 900},
        {"ph": "B", "name": "RunTask", "pid": 7, "tid": 7, "ts": 2_000, "tts": 50},
        {"ph": "X", "name": "UpdateCounters", "pid": 7, "tid": 7, "ts": 1_500_000, "dur": 2_000},
    ]
    (_, frozen) = main_thread_tasks(events)
    assert (frozen.start_us, frozen.wall_ms, frozen.timed) == (2_000, 1_500.0, False)
    assert frozen.thread_ms == frozen.wall_ms


def test_a_task_written_as_begin_and_end_has_its_own_times():
    events = [
        MAIN,
        {"ph": "B", "name": "RunTask", "pid": 7, "tid": 7, "ts": 1_000, "tts": 100},
        {"ph": "B", "name": "FunctionCall", "pid": 7, "tid": 7, "ts": 1_100, "tts": 150},
        {"ph": "E", "pid": 7, "tid": 7, "ts": 200_000, "tts": 150_000},
        {"ph": "E", "pid": 7, "tid": 7, "ts": 301_000, "tts": 250_100},
    ]
    (task,) = main_thread_tasks(events)
    assert (task.start_us, task.wall_ms, task.thread_ms, task.timed) == (1_000, 300.0, 250.0, True)
