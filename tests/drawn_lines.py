"""What a dendrogram's line traces draw, for tests of the figure (components/figures.py)
and of the browser's index (components/recolour.py): the strokes of each line, joined, and
the pieces between its gaps."""

import numpy as np

from components.figures import child_links


def _merged(spans):
    """{key: [(low, high)]} with the overlapping or touching spans of each key joined."""
    out = {}
    for key, items in spans.items():
        joined = []
        for low, high in sorted(items):
            if joined and low <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(joined[-1][1], high))
            else:
                joined.append((low, high))
        out[key] = joined
    return out


def strokes(x, y):
    """What a line of straight steps draws: {("up", x) or ("across", y): [(low, high)]}.
    Every step must be vertical or horizontal; NaN is a gap."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    spans = {}
    for i in range(len(x) - 1):
        if np.isnan([x[i], x[i + 1], y[i], y[i + 1]]).any():
            continue
        if x[i] == x[i + 1] and y[i] != y[i + 1]:
            spans.setdefault(("up", x[i]), []).append(tuple(sorted((y[i], y[i + 1]))))
        elif y[i] == y[i + 1] and x[i] != x[i + 1]:
            spans.setdefault(("across", y[i]), []).append(tuple(sorted((x[i], x[i + 1]))))
        else:
            assert x[i] == x[i + 1] and y[i] == y[i + 1], f"a slanted step at {i}"
    return _merged(spans)


def strokes_of_steps(x, y, shape="vh"):
    """strokes() of a line drawn with plotly's step shape 'vh' (along y, then x) or 'hv'."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    xs, ys = [], []
    for i in range(len(x)):
        if i and not np.isnan([x[i - 1], x[i]]).any():
            # the implied corner
            xs.append(x[i - 1] if shape == "vh" else x[i])
            ys.append(y[i] if shape == "vh" else y[i - 1])
        xs.append(x[i])
        ys.append(y[i])
    return strokes(xs, ys)


def link_strokes(geometry, chosen):
    """strokes() of the chosen links' upside-down U's, in float32 as the figure sends them."""
    f = np.float32
    spans = {}
    for j in np.flatnonzero(chosen):
        xl, xr = float(f(geometry.x_left[j])), float(f(geometry.x_right[j]))
        hl, hr, h = (float(f(v[j])) for v in (geometry.h_left, geometry.h_right, geometry.height))
        for key, span in (
            (("up", xl), (hl, h)),
            (("across", h), (xl, xr)),
            (("up", xr), (hr, h)),
        ):
            if span[0] != span[1]:
                spans.setdefault(key, []).append(tuple(sorted(span)))
    return _merged(spans)


def groups(geometry, Z, chosen):
    """Groups of chosen links that meet: those whose parent link is not chosen."""
    left, right = child_links(geometry, Z)
    below = np.concatenate([left[chosen], right[chosen]])
    below = below[below >= 0]
    return int(np.sum(chosen) - np.sum(chosen[below]))
