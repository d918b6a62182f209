"""bench.browser.profile_of_tasks: a CDP CPU profile's samples attributed to the long tasks."""

from bench.browser import profile_of_tasks


def frame(name, url=""):
    return {"functionName": name, "url": url, "lineNumber": 1, "columnNumber": 0}


def cdp_profile(timeline, start_us=5_000_000):
    """A profile as Chromium's Profiler.stop returns it, sampled every ms from `start_us`.

    `timeline` is a list of stacks (outermost first), one per millisecond.
    """
    nodes, ids = [{"id": 1, "callFrame": frame("(root)"), "children": []}], {}
    samples = []
    for stack in timeline:
        parent = 1
        for depth in range(len(stack)):
            key = tuple(stack[: depth + 1])
            if key not in ids:
                ids[key] = len(nodes) + 1
                name, url = stack[depth]
                nodes.append({"id": ids[key], "callFrame": frame(name, url), "children": []})
                nodes[parent - 1]["children"].append(ids[key])
            parent = ids[key]
        samples.append(parent)
    return {
        "nodes": nodes,
        "startTime": start_us,
        "samples": samples,
        "timeDeltas": [1000] * len(samples),
    }


PLOTLY = "http://127.0.0.1:1/assets/plotly-strict.min.js?m=1"
TABLE = "http://127.0.0.1:1/_dash-component-suites/dash/dash_table/async-table.v7_4_1m2.js"


class TestProfileOfTasks:
    def test_each_task_gets_the_samples_of_its_own_time(self):
        idle = [[("(idle)", "")]]
        timeline = (
            idle * 10
            + [[("__calibrate__", "")]] * 20  # begins at performance.now() = 100
            + idle * 20
            + [[("react", PLOTLY), ("calc", PLOTLY)]] * 150  # 150 ms, from 140
            + [[("(program)", "")]] * 100  # then native work, in the same task
            + idle * 30
            + [[("render", TABLE)]] * 60  # a second task, from 420
            + idle * 10
        )
        found = profile_of_tasks(cdp_profile(timeline), [(140, 250), (420, 60)], 100, least_ms=50)
        assert [t["start"] for t in found] == [140, 420]
        first = dict(found[0]["by_file"])
        assert round(first["plotly-strict.min.js"]) in (149, 150, 151)
        assert round(first["(program)"]) in (99, 100, 101)
        assert "async-table" not in first
        inclusive = found[0]["inclusive"]  # react and calc tie: both span the 150 ms
        assert any(
            name.startswith("react plotly-strict.min.js") and ms == inclusive[0][1]
            for name, ms in inclusive
        )
        assert [f for f, _ in found[1]["by_file"]] == ["async-table"]
        # by its own time, with the column: plotly's minified functions are told apart by it
        own = dict(found[0]["by_function"])
        assert round(own["calc plotly-strict.min.js:1:0"]) in (149, 150, 151)
        assert "react plotly-strict.min.js:1:0" not in own  # no time of its own

    def test_short_tasks_and_an_uncalibrated_profile_are_left_out(self):
        timeline = [[("__calibrate__", "")]] * 5 + [[("work", PLOTLY)]] * 40
        assert profile_of_tasks(cdp_profile(timeline), [(5, 40)], 0, least_ms=50) == []
        uncalibrated = cdp_profile([[("work", PLOTLY)]] * 40)
        assert profile_of_tasks(uncalibrated, [(0, 300)], 0, least_ms=50) is None
