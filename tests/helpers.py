"""Helpers that several test modules share: running a callback as Dash would,
and the page's first steps (a session, a dataset, a clustering, a cut) without a
browser."""

import base64
import copy
import importlib.util
import inspect
import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from plotly.io.json import to_json_plotly

from callbacks import cut as cut_callbacks
from callbacks.clustering import run_clustering
from callbacks.data import load_choice, load_generated, load_sample, receive_upload
from callbacks.view_options import view_options
from callbacks.views import update_views
from hclust.data import load_preset
from hclust.errors import InputError
from services import store
from services.sessions import issue_session


@contextmanager
def page_context(prop_id="."):
    """A callback context, triggered by `prop_id`, that collects what set_props sends."""
    context = AttributeDict(
        triggered_inputs=[{"prop_id": prop_id, "value": None}], updated_props={}
    )
    token = context_value.set(context)
    try:
        yield context.updated_props
    finally:
        context_value.reset(token)


def refusal(callback, *args, **kwargs) -> str:
    """What a callback tells the person about bad input.

    A callback either raises the InputError (Dash's ``on_error`` then shows it)
    or shows it itself (``callbacks.errors.shows_errors``): in one of its
    outputs or, through ``set_props``, in a status line elsewhere.
    """
    with page_context() as sent:
        try:
            outputs = callback(*args, **kwargs)
        except InputError as error:
            return str(error)
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    shown = [o for o in outputs if isinstance(o, str) and o.startswith("⚠")]
    shown += [props["children"] for props in sent.values() if "children" in props]
    assert shown, f"{callback.__name__} neither refused nor showed a message"
    return shown[0]


@contextmanager
def triggered_by(prop_id, value=None):
    """Run a callback as if `prop_id` ("component.property") had changed."""
    token = context_value.set(
        AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": value}])
    )
    try:
        yield
    finally:
        context_value.reset(token)


def wiring(function):
    """How Dash registered the callback `function`: its outputs, inputs and states as
    "id.property" (an allow_duplicate output without its suffix), and prevent_initial_call."""
    from app import app
    from callbacks.first_view import registered

    [found] = [w for w in registered(app) if w.function is function]
    return {
        "outputs": list(found.outputs),
        "inputs": list(found.inputs),
        "state": list(found.states),
        "prevent_initial_call": not found.fires_at_load,
    }


def restore_controls(source, **given):
    """The page's controls as a link's restore reads them (callbacks/share.py CONTROL_STATES):
    `source` with no distance matrix, no optimal ordering, no scaling and rows with missing
    values dropped, then `given`; every other control None."""
    from callbacks.share import CONTROL_STATES

    controls = dict.fromkeys(name for name, _, _ in CONTROL_STATES)
    controls.update(
        source=source, as_distances=[], optimal_order=[], scaling="none", missing="drop"
    )
    controls.update(given)
    return controls


def new_session():
    """A session token issued as the page gets one."""
    return issue_session()


def call(callback, **given):
    """Call a callback by parameter name; parameters not given are None.

    The page's callbacks take many inputs; naming the ones a test is about
    keeps the test readable and independent of the others' order.
    """
    parameters = inspect.signature(callback).parameters
    unknown = set(given) - set(parameters)
    assert not unknown, f"{callback.__name__} has no parameter(s) {unknown}"
    return callback(**{name: given.get(name) for name in parameters})


def put_preset(session_id, preset="tutorial-2-blobs"):
    """Load a preset straight into the store; returns the data-version summary."""
    dataset = load_preset(preset)
    return {"key": store.get_store().put_dataset(session_id, dataset), "n": dataset.n_samples}


def cluster(session_id, data_version, method="ward", metric="euclidean"):
    """The background job's path without a browser: progress goes to a list."""
    progress = []
    key = (data_version or {}).get("key")
    request = {
        "data_version": data_version,
        "method": method,
        "metric": metric,
        "optimal_order": False,
        "id": store.get_store().begin_request(
            session_id, "clustering", f"{key}|{method}|{metric}|False"
        ),
    }
    summary, status, sample_offer, job_tree, focus = call(
        run_clustering, set_progress=progress.append, request=request, session_id=session_id
    )
    assert job_tree == summary  # the tree's cut follows (callbacks/cut.py cut_for_tree)
    assert focus is (None if isinstance(summary, dict) else no_update)  # a new tree, shown whole
    assert sample_offer is None  # the tutorial's data fits any memory budget
    return summary, status, progress


# The cut's inputs as the page starts them.
CUT_DEFAULTS = dict(criterion="distance", t=8, depth=10, flags=["contracted"])
CUT_OUTPUTS = ("cut_height", "n_clusters", "criterion", "cut", "status")
# The callback of callbacks/cut.py that each changed input reaches (one per intent).
EVENTS = ("n_submit", "n_blur")
CUT_INTENTS = {
    # a new tree: its cut comes with request_clustering's answer (cut_with_tree, which calls
    # cut_for_tree), or from cut_for_tree itself after a background job (job-tree.data)
    "clustering.data": cut_callbacks.cut_for_tree,
    "job-tree.data": cut_callbacks.cut_for_tree,
    "cut-drag.data": cut_callbacks.cut_from_drag,
    "elbow-graph.clickData": cut_callbacks.cut_from_k_plot,
    "quality-graph.clickData": cut_callbacks.cut_from_k_plot,
    "cut-nudge.data": cut_callbacks.cut_from_nudge,
    **dict.fromkeys(
        [
            f"{field}.value"
            for field in ("cut-height", "n-clusters", "criterion", "criterion-t", "criterion-depth")
        ]
        # the height and k reach it by Enter or Tab away ("<field>.value": as Enter does)
        + [f"{field}.{event}" for field in ("cut-height", "n-clusters") for event in EVENTS],
        cut_callbacks.cut_from_fields,
    ),
}


def move_cut(session, prop_id, **inputs):
    """Call the cut callback that `prop_id` triggers, from the session's current cut; returns
    its outputs by name. The page's defaults go to the callbacks that read them."""
    callback = CUT_INTENTS[prop_id]
    parameters = inspect.signature(callback).parameters
    defaults = {name: value for name, value in CUT_DEFAULTS.items() if name in parameters}
    inputs = {**defaults, "cut": session["cut"], **inputs}
    with triggered_by(prop_id):
        outputs = call(
            callback, clustering=session["clustering"], session_id=session["id"], **inputs
        )
    return dict(zip(CUT_OUTPUTS, outputs))


def drag_to(height, seq=1):
    """The ``cut-drag`` store as assets/relayout.js writes it for a line dragged to `height`."""
    return {"height": height, "seq": seq}


# The dendrogram's controls for the tests' views (contracted dots off, unlike the page).
VIEW_CONTROLS = dict(
    truncate_mode="auto",
    p=60,
    flags=[],
    annotate_above=None,
    orientation="top",
    leaf_label_style="9:-90",
)


def options_store(**controls):
    """The view-options store as callbacks.view_options writes it for these controls."""
    return view_options(**{**VIEW_CONTROLS, **controls})


def draw_views(session_id, cut, patches=False, **given):
    """update_views, called as a plain function, with the tests' default axes and view options;
    control names (truncate_mode, p, flags, ...) are turned into the view-options store.
    Returns (dendrogram, scatter, colour map, status): whole figures and the colours, unless
    `patches` lets a cut drawn over the colour map's figures answer with Patches (the colour
    map then says what the figures were drawn for, ``drawn``)."""
    controls = {name: given.pop(name) for name in list(given) if name in VIEW_CONTROLS}
    if not patches and isinstance(given.get("colour_map"), dict):
        given["colour_map"] = {k: v for k, v in given["colour_map"].items() if k != "drawn"}
    inputs = dict(
        highlight=None,
        x_choice="x",
        y_choice="y",
        focus=None,
        view_options=options_store(**controls),
        pins=None,
        colour_map=None,
        data_version=None,
    )
    answer = update_views(cut=cut, session_id=session_id, **{**inputs, **given})
    if not patches and isinstance(answer[2], dict):  # what the figures were drawn for aside
        answer = (*answer[:2], {k: v for k, v in answer[2].items() if k != "drawn"}, *answer[3:])
    return answer


def data_url(content, mime="text/csv"):
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def upload(session_id, content, filename="table.csv"):
    """receive_upload's outputs for a file small enough to be read in the request."""
    *outputs, job = call(
        receive_upload, contents=data_url(content), filename=filename, session_id=session_id
    )
    assert job is no_update  # read at once, no background job
    return outputs


LOAD_OUTPUTS = ("version", "status", "x_options", "x", "y_options", "y", "order_options")
# The data controls as a test starts them, by the loading callbacks' parameter names.
LOAD_INPUTS = dict(
    features=None,
    label=None,
    as_distances=None,
    scaling="none",
    missing="drop",
    table_version=None,
    n=None,
    noise=None,
    seed=None,
    blob_rows=None,
    current=None,
)


def load(session_id, source, prop_id="dataset.value", **inputs):
    """Load `source` as the page does when `prop_id` changes, calling the callback of that
    intent as a plain function (the Generate button: load_generated; "use the sample":
    load_sample; a data control: load_choice); returns its outputs by name."""
    if prop_id == "use-sample.n_clicks":  # load_sample: the offered sample of what is shown
        outputs = load_sample(
            sample_clicks=inputs.get("sample_clicks", 1),
            current=inputs.get("current"),
            session_id=session_id,
        )
        return dict(zip(LOAD_OUTPUTS, outputs))
    inputs = {**LOAD_INPUTS, **inputs}
    if prop_id == "generate.n_clicks":
        order = ("features", "label", "as_distances", "scaling", "missing", "table_version")
        order += ("n", "noise", "seed", "blob_rows", "current")
        outputs = load_generated(1, source, *(inputs[name] for name in order), session_id)
    else:
        outputs = load_choice(source=source, session_id=session_id, **inputs)
    return dict(zip(LOAD_OUTPUTS, outputs))


# The hosted shape's browser tests start a Redis server and a Celery worker
# (devtools.local_app.redis_and_celery).
NEEDS_REDIS_AND_CELERY = pytest.mark.skipif(
    shutil.which("redis-server") is None or importlib.util.find_spec("celery") is None,
    reason="needs Debian's redis-server and the celery package (make test installs both)",
)


class DictCache:
    """The calls Store needs (get, set, ``in``), in memory, so a test sees every entry written."""

    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, expire=None):
        self.data[key] = value

    def __contains__(self, key):
        return key in self.data


# ---------------------------------------------------------------- accessibility (axe-core)

# npm's axe-core, pinned in package-lock.json (`make test` runs `npm ci`); never a CDN.
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0/2.1/2.2 A and AA, and axe's best practices, as the issue (#16) asks.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(driver, context=None):
    """axe-core's violations on the page `driver` shows, as short readable lines.

    The script is sent with WebDriver's ``execute_script`` (the DevTools
    protocol's evaluate), which the page's Content-Security-Policy does not
    govern, so the strict CSP stays as it is. `context` is a CSS selector to
    check part of the page (None: the whole document). Each line names the
    rule, its impact and the first elements at fault, so a failing assert says
    what to fix.
    """
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `npm ci` (make test does)")
    if not driver.execute_script("return !!window.axe;"):
        driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(arguments[0] || document, {runOnly: {type: 'tag', values: arguments[1]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'error', help: String(e), nodes: []}]));",
        context,
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']}; "
        + " | ".join(v["nodes"][:3])
        for v in result
    ]


def as_json(value):
    """A figure or a Patch as the browser receives it (numpy arrays encoded alike)."""
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    return json.loads(to_json_plotly(value))


def apply_patch(figure, patch):
    """The Patch's operations applied to a figure dict, as dash-renderer applies them."""
    figure = copy.deepcopy(figure)
    for operation in as_json(patch)["operations"]:
        *parents, last = location = operation["location"]
        params = operation["params"]
        holder = figure
        for key in location[:-1] if operation["operation"] in ("Assign", "Delete") else location:
            holder = holder[key]
        if operation["operation"] == "Assign":
            holder[last] = params["value"]
        elif operation["operation"] == "Delete":
            del holder[last]
        elif operation["operation"] == "Insert":
            holder.insert(params["index"], params["value"])
        else:
            raise AssertionError(f"an operation the test does not know: {operation}")
    return figure


class PageValues:
    """A page's component values as Dash's renderer keeps them, and its server callbacks;
    builds callback request bodies from them. Subclasses say how the page talks to the
    server (over HTTP, or the Flask test client)."""

    def __init__(self, dependencies, layout):
        self.callbacks = {c["output"]: c for c in dependencies if not c.get("clientside_function")}
        self.props: dict[tuple[str, str], object] = {}
        self._collect(layout)

    def _collect(self, node):
        if isinstance(node, list):
            for child in node:
                self._collect(child)
        elif isinstance(node, dict) and "props" in node:
            props = node["props"]
            if isinstance(props.get("id"), str):
                for name, value in props.items():
                    self.props[(props["id"], name)] = value
            self._collect(props.get("children"))

    def output_for(self, component: str, prop: str) -> str:
        """The callback id of the server-side callback that writes `component`.`prop` first."""
        wanted = f"{component}.{prop}"
        for output in self.callbacks:
            if wanted in output.strip(".").split("..."):
                return output
        raise KeyError(wanted)

    def body(self, output: str, changed: list[str], values: dict | None = None) -> dict:
        """A request for `output` with the page's values, some replaced by `values`."""
        callback = self.callbacks[output]
        values = values or {}

        def entries(specs):
            return [
                {
                    "id": s["id"],
                    "property": s["property"],
                    "value": values.get(
                        (s["id"], s["property"]), self.props.get((s["id"], s["property"]))
                    ),
                }
                for s in specs
            ]

        names = output.strip(".").split("...")
        outputs = [
            {"id": name.rsplit(".", 1)[0], "property": name.rsplit(".", 1)[1]} for name in names
        ]
        return {
            "output": output,
            "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": entries(callback["inputs"]),
            "state": entries(callback["state"]),
            "changedPropIds": changed,
        }
