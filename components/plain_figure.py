"""A figure as plotly's own JSON, built without plotly's object tree.

``go.Figure`` turns every trace and every nested property into an object, even
with ``_validate=False``: 15-25 ms for a box plot of ten traces, most of a light
request's time, paid again by each of a class's students for the same figure.
:class:`PlainFigure` keeps the builders' dicts as they are and only does what
plotly does to them on the way to the browser:

- a ``magic_underscore`` key becomes nested dicts (``marker_color`` →
  ``marker: {color}``), with plotly's own list of names that keep their
  underscore (``error_x``, ``paper_bgcolor``);
- a numpy array becomes plotly.js's typed array (``{dtype, bdata}``, base64)
  by plotly's rules, when the figure is sent;
- keys set to None are left out.

Read access is plotly's: ``figure.layout.xaxis.title.text``, ``figure.data[0].x``
(an unset property reads None). ``tests/unit/test_figure_schema.py`` checks
each builder against plotly's checking constructor: the same JSON, and no
property plotly refuses.
"""

from __future__ import annotations

import base64
import copy
from functools import lru_cache

import numpy as np
import plotly.io as pio
from _plotly_utils.utils import is_skipped_key, plotlyjsShortTypes
from plotly.basedatatypes import BaseFigure

# names whose underscore is part of the name, not a path (plotly's own list)
_UNDERSCORE_NAMES = frozenset(BaseFigure._valid_underscore_properties)
# values that are data, not properties: their keys are never split
_OPAQUE = frozenset({"meta", "customdata", "uirevision", "args", "args2"})


class Props(dict):
    """A dict of plotly properties, also read as attributes (None when unset)."""

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name, value):
        # as the constructor takes a key: None unsets it, and data values stay as they are
        if value is None:
            self.pop(name, None)
        else:
            self[name] = value if name in _OPAQUE else _props(value)


def _props(value):
    """Dicts (in dicts and lists) as :class:`Props`, magic underscores expanded, None left out."""
    if isinstance(value, dict):
        props = Props()
        for key, item in value.items():
            if item is None:
                continue
            if key in _OPAQUE:
                props[key] = item
                continue
            path = _path(key)
            target = props
            for part in path[:-1]:
                target = target.setdefault(part, Props())
            item = _props(item)
            last = path[-1]
            if isinstance(item, Props) and isinstance(target.get(last), Props):
                target[last].update(item)  # marker=dict(size=3) beside marker_color
            else:
                target[last] = item
        return props
    if isinstance(value, list | tuple) and value and isinstance(value[0], dict):
        return [_props(item) for item in value]
    return value


def _path(key: str) -> list:
    if "_" not in key[1:] or key in _UNDERSCORE_NAMES:
        return [key]
    for name in _UNDERSCORE_NAMES:  # error_x_color -> error_x, color
        if key.startswith(name + "_"):
            return [name, *_path(key[len(name) + 1 :])]
    head, _, rest = key.partition("_")
    return [head, *_path(rest)]


def _encoded(value, key=None):
    """A copy for the browser: numpy arrays as typed arrays, as plotly sends them."""
    if isinstance(value, np.ndarray):
        return value if is_skipped_key(key) else _typed(value)
    if isinstance(value, dict):
        return {k: _encoded(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encoded(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


_NARROWER = {  # 64-bit integers, which plotly.js cannot read, go to the narrowest that holds them
    "int64": (np.int8, np.int16, np.int32),
    "uint64": (np.uint8, np.uint16, np.uint32),
}


def _typed(array: np.ndarray):
    """plotly's ``to_typed_array_spec`` without its per-call dataframe checks (~1 ms an array)."""
    if array.size == 0:
        return array.tolist()
    dtype = array.dtype.name
    if dtype in _NARROWER:
        low, high = array.min(), array.max()
        for narrower in _NARROWER[dtype]:
            info = np.iinfo(narrower)
            if info.min <= low and high <= info.max:
                array = array.astype(narrower)
                break
        dtype = array.dtype.name
    if dtype not in plotlyjsShortTypes:  # strings, objects, 64-bit integers out of range
        return array.tolist()
    spec = {
        "dtype": plotlyjsShortTypes[dtype],
        "bdata": base64.b64encode(np.ascontiguousarray(array)).decode("ascii"),
    }
    if array.ndim > 1:
        spec["shape"] = str(array.shape)[1:-1]
    return spec


@lru_cache(maxsize=8)
def _template_json(name: str) -> dict:
    # plotly's registered templates are constants; expanding one costs ~3 ms
    return pio.templates[name].to_plotly_json()


class PlainFigure:
    """A plotly figure as trace and layout dicts.

    Parameters
    ----------
    data : list of dict
        Traces, each with its ``type``.
    layout : dict
        The layout; a ``template`` given by name is expanded as plotly expands it.
    """

    __slots__ = ("data", "layout")

    def __init__(self, data=(), layout=None):
        layout = dict(layout or {})
        if isinstance(layout.get("template"), str):
            layout["template"] = copy.deepcopy(_template_json(layout["template"]))
        self.data = [_props(trace) for trace in data]
        self.layout = _props(layout)

    def to_plotly_json(self) -> dict:
        """The figure as plotly.js reads it (what Dash sends)."""
        return {"data": _encoded(self.data), "layout": _encoded(self.layout)}

    to_dict = to_plotly_json

    def __getitem__(self, name):  # figure["data"], figure["layout"], as plotly's figures
        if name not in self.__slots__:
            raise KeyError(name)
        return getattr(self, name)

    def __repr__(self):
        return f"PlainFigure({len(self.data)} traces)"
