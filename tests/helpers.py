"""Helpers that several test modules share: running a callback as Dash would."""

from contextlib import contextmanager

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
