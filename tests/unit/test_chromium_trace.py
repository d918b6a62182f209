"""devtools/chromium_trace.py's reading of a trace's events (the browser side is
tests/browser/test_chromium_trace.py)."""

from devtools.chromium_trace import main_thread_tasks


def test_only_renderer_main_threads_tasks_and_a_missing_thread_time_is_the_wall_time():
    """A task the trace gives no thread time counts its wall time, never 0: ins014 would
    otherwise pass it whatever its length."""
    events = [
        {"ph": "M", "name": "thread_name", "pid": 7, "tid": 7, "args": {"name": "CrRendererMain"}},
        {"ph": "M", "name": "thread_name", "pid": 7, "tid": 9, "args": {"name": "Compositor"}},
        {"ph": "X", "name": "RunTask", "pid": 7, "tid": 7, "ts": 20, "dur": 300_000},
        {"ph": "X", "name": "RunTask", "pid": 7, "tid": 7, "ts": 10, "dur": 5_000, "tdur": 4_000},
        {"ph": "X", "name": "RunTask", "pid": 7, "tid": 9, "ts": 30, "dur": 900_000},
    ]
    tasks = main_thread_tasks(events)
    assert [(task.start_us, task.wall_ms, task.thread_ms) for task in tasks] == [
        (10, 5.0, 4.0),
        (20, 300.0, 300.0),
    ]
