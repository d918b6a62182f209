"""components.plain_figure: the figure JSON a browser gets is the one plotly's own Figure makes
of the same trace and layout dicts (magic underscores, typed arrays, templates), without
building plotly's object tree."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from components.plain_figure import PlainFigure

DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]
DTYPES += ["float32", "float64", "bool"]


def as_plotly_sends(data, layout):
    """What plotly sends for the same dicts: its own Figure, then its JSON encoder."""
    return json.loads(pio.to_json(go.Figure(data=data, layout=layout)))


def as_we_send(data, layout):
    return json.loads(pio.to_json(PlainFigure(data, layout)))


def test_magic_underscores_nest_as_plotly_nests_them():
    data = [
        dict(
            type="scatter",
            x=[1, 2],
            y=[3, 4],
            marker_color="#123456",
            marker=dict(size=3, line_width=2),
            error_x_color="#654321",
            error_y=dict(array=[0.1, 0.2]),
            hoverlabel_font_size=11,
        )
    ]
    layout = dict(
        template="none",
        paper_bgcolor="white",
        plot_bgcolor="#eeeeee",
        xaxis_title_text="merge distance",
        yaxis=dict(title_font_size=12, range=[0, 1]),
        meta={"geometry_id": "kept as it is", "a_b": 1},
    )
    assert as_we_send(data, layout) == as_plotly_sends(data, layout)


def test_a_template_by_name_is_expanded_as_plotly_expands_it():
    layout = dict(template="none", title=dict(text="t"))
    assert as_we_send([], layout) == as_plotly_sends([], layout)
    first = PlainFigure([], layout)
    first.layout.template["layout"] = {"font": {"size": 99}}  # one figure's template is its own
    assert as_we_send([], layout) == as_plotly_sends([], layout)


def test_none_is_left_out_and_unset_properties_read_none():
    figure = PlainFigure([dict(type="bar", x=[1], name=None)], dict(title=None, height=300))
    assert "name" not in figure.data[0] and "title" not in figure.layout
    assert figure.data[0].name is None and figure.layout.xaxis is None
    assert figure.layout.height == 300 and figure["layout"] is figure.layout
    figure.layout.meta = {"geometry_id": "g"}  # set later, as the constructor takes it
    figure.layout.xaxis = {"title_text": "k"}
    figure.layout.height = None
    sent = figure.to_plotly_json()["layout"]
    assert sent["meta"] == {"geometry_id": "g"} and sent["xaxis"] == {"title": {"text": "k"}}
    assert "height" not in sent


@settings(max_examples=150, deadline=None)
@given(
    array=st.sampled_from(DTYPES).flatmap(
        lambda dtype: hnp.arrays(
            dtype,
            hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=6),
            elements=(
                st.floats(-1e6, 1e6, width=32 if dtype == "float32" else 64)
                if dtype.startswith("float")
                else None
            ),
        )
    )
)
def test_numpy_arrays_go_as_plotly_sends_them(array):
    """Typed arrays (base64) for every dtype plotly.js reads, 64-bit integers narrowed when they
    fit, plain lists otherwise; in a property plotly keeps as a list (range) too."""
    data = [dict(type="scatter", customdata=array, x=array.ravel())]
    layout = dict(template="none", xaxis=dict(range=np.array([0.0, 1.0])))
    assert as_we_send(data, layout) == as_plotly_sends(data, layout)


def test_the_figure_keeps_its_arrays_for_whoever_reads_it():
    x = np.arange(4.0)
    figure = PlainFigure([dict(type="scatter", x=x)], {})
    sent = figure.to_plotly_json()
    assert sent["data"][0]["x"]["dtype"] == "f8"
    assert figure.data[0].x is x  # sending does not change the figure


@pytest.mark.parametrize("key", ["data", "layout"])
def test_subscript_reads_the_parts(key):
    figure = PlainFigure([dict(type="bar", x=[1])], dict(height=10))
    assert figure[key] is getattr(figure, key)
    with pytest.raises(KeyError):
        figure["frames"]
