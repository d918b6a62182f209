"""Helpers that several test modules share: running a callback as Dash would."""

from contextlib import contextmanager
from pathlib import Path

from dash._callback_context import context_value
from dash._utils import AttributeDict

from hclust.errors import InputError


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
