"""One way for a callback to fail: a message the person reads, never a 500 and never silence.

Every callback that reads the session's data or a shared result can meet an
:class:`hclust.errors.InputError` (the session expired, the data is gone, a
result is still being computed, a choice is refused). :func:`shows_errors`
turns it into a "⚠ ..." message, in one of the callback's own outputs or, for
a panel without a status line of its own, in a status line elsewhere on the
page (``dash.set_props``), and leaves every other output as it was.
"""

from functools import wraps

from dash import no_update, set_props

from hclust.errors import InputError
from services.store import mark_answer_private


def error_text(error: Exception) -> str:
    return f"⚠ {error}"


def shows_errors(outputs: int = 1, message: int | None = None, status: str | None = None):
    """Decorate a callback so an InputError it raises is shown, not swallowed.

    Parameters
    ----------
    outputs : int
        How many outputs the callback has.
    message : int, optional
        Index of the output that shows the message; the others get ``no_update``.
    status : str, optional
        Id of a component elsewhere on the page whose ``children`` show the
        message, for callbacks with no output of their own for it; every
        output gets ``no_update``.

    Apply it under ``@callback``, so Dash registers (and tests call) the
    decorated function.
    """
    if (message is None) == (status is None):
        raise ValueError("give exactly one of message (an output index) or status (a component id)")
    if message is not None and not 0 <= message < outputs:
        raise ValueError(f"message must index one of the {outputs} outputs")

    def decorate(function):
        @wraps(function)
        def shown(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except InputError as error:
                mark_answer_private()  # a message about this request, not a result to share
                if status is not None:
                    set_props(status, {"children": error_text(error)})
                    return no_update
                if outputs == 1:
                    return error_text(error)
                values = [no_update] * outputs
                values[message] = error_text(error)
                return tuple(values)

        return shown

    return decorate
