"""Exact sums against Python's own: integers by group, floats along rows."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from auctions._exact import group_sum, row_fsum


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2**58)), min_size=1, max_size=8))
def test_group_sum_is_the_exact_integer_sum(pairs):
    codes, values = zip(*pairs, strict=True)
    expected = [sum(v for c, v in pairs if c == g) for g in range(4)]
    assert group_sum(list(codes), list(values), 4).tolist() == expected


# Cells that make rounding hard: halves and quarters of a unit in the last
# place of large values, values far apart in magnitude, and signs that cancel.
_cells = st.one_of(
    st.floats(0.0, 1e6),
    st.sampled_from([2.0**53, 2.0**53 + 2, 1.0, 0.5, 0.25, 1e-300, 5e-324, 1e300, 0.1]),
    st.floats(-1e6, 1e6),
    st.floats(-1e300, 1e300),  # (fsum itself overflows near the largest float)
)


@given(st.integers(1, 6).flatmap(
    lambda n: st.lists(st.lists(_cells, min_size=n, max_size=n), min_size=4 * n,
                       max_size=4 * n + 20)))
@example([[2.0**53, 1.0, 2.0**-60]] * 12)  # exact 2^53 + 1 + 2^-60: rounds up, not to even
def test_row_fsum_is_math_fsum_of_each_row(rows):
    values = np.array(rows, dtype=np.float64)
    expected = [math.fsum(r) for r in rows]
    got = row_fsum(values).tolist()
    assert [repr(x) for x in got] == [repr(x) for x in expected]


def test_row_fsum_of_a_row_that_overflows_raises_as_math_fsum_does():
    # 1e308 + 1e308 leaves the floats: math.fsum raises OverflowError, and so
    # does the vectorised path, with no numpy warning on the way.
    rows = np.array([[1.0, 2.0, 3.0]] * 12 + [[1e308, 1e308, -1e308]])
    with pytest.raises(OverflowError), warnings.catch_warnings():
        warnings.simplefilter("error")
        row_fsum(rows)
