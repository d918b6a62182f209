"""The trace that ins014 (and the deep_cuts bench) read the page's main-thread tasks from
(devtools/chromium_trace.py), checked against work of a known size in a real Chromium.

Run with ``python -m pytest tests/browser/test_chromium_trace.py -q``.
"""

from devtools.chromium_trace import chromium_trace, main_thread_tasks

# Arithmetic the page cannot skip: 2e8 steps take about 1.2 s of one core on the 2-core
# machine this was written on, far over the 200 ms that ins014 allows a task.
BUSY = "let x = 0; for (let i = 0; i < arguments[0]; i++) x = (x * 31 + i) % 1000003; return x;"


def test_a_task_of_the_pages_own_work_is_seen_with_its_thread_time(chromium):
    with chromium() as driver:
        driver.get("data:text/html,<title>busy</title><p>busy</p>")
        with chromium_trace(driver) as events:
            driver.execute_script(BUSY, 2e8)
            driver.execute_script("return 1")
    tasks = main_thread_tasks(events)
    longest = max(tasks, key=lambda task: task.thread_ms)
    assert longest.timed and longest.thread_ms > 200, f"the busy task: {longest}"
    assert longest.wall_ms >= longest.thread_ms
    # the other tasks of the page were short: one task, not the trace's sum, was caught
    rest = sorted(task.thread_ms for task in tasks if task is not longest)
    assert rest and rest[-1] < longest.thread_ms / 4, f"the next longest: {rest[-3:]}"
