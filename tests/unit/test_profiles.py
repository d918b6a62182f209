"""hclust.profiles against pandas and numpy, computed group by group."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from hclust.profiles import cluster_profiles

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def grouped(draw):
    n = draw(st.integers(1, 80))
    m = draw(st.integers(1, 4))
    values = draw(arrays(float, (n, m), elements=finite))
    labels = np.asarray(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)))
    return values, labels


def tukey_whiskers(column):
    q1, q3 = np.percentile(column, [25, 75])
    reach = 1.5 * (q3 - q1)
    inside = column[(column >= q1 - reach) & (column <= q3 + reach)]
    return inside.min(), inside.max(), len(column) - len(inside)


class TestClusterProfiles:
    @settings(max_examples=200, deadline=None)
    @given(grouped())
    def test_each_statistic_as_pandas_and_numpy_per_group(self, case):
        values, labels = case
        found = cluster_profiles(values, labels)
        frame = pd.DataFrame(values).assign(cluster=labels)
        by = frame.groupby("cluster")
        assert_array_equal(found.clusters, by.size().index.to_numpy())
        assert_array_equal(found.size, by.size().to_numpy())
        assert_allclose(found.mean, by.mean().to_numpy(), rtol=1e-12, atol=1e-6)
        assert_allclose(found.median, by.median().to_numpy(), rtol=1e-12, atol=1e-9)
        for i, cluster in enumerate(found.clusters):
            members = values[labels == cluster]
            q1, q3 = np.percentile(members, [25, 75], axis=0)
            assert_allclose(found.q1[i], q1, rtol=1e-12, atol=1e-9)
            assert_allclose(found.q3[i], q3, rtol=1e-12, atol=1e-9)
            assert_array_equal(found.minimum[i], members.min(axis=0))
            assert_array_equal(found.maximum[i], members.max(axis=0))
            for j in range(values.shape[1]):
                low, high, out = tukey_whiskers(members[:, j])
                assert found.low[i, j] == pytest.approx(low)
                assert found.high[i, j] == pytest.approx(high)
                assert found.outliers[i, j] == out

    def test_iris_setosa_petal_length_in_cm(self):
        from hclust.datasets import load_bundled_table

        frame = load_bundled_table("iris").frame
        values = frame[["petal_length_cm"]].to_numpy(dtype=float)
        found = cluster_profiles(values, frame["species"].to_numpy())
        setosa = list(found.clusters).index("setosa")
        assert found.mean[setosa, 0] == pytest.approx(1.462)
        assert found.median[setosa, 0] == pytest.approx(1.5)

    def test_refuses_labels_of_another_length(self):
        with pytest.raises(ValueError):
            cluster_profiles(np.zeros((3, 2)), [1, 2])
