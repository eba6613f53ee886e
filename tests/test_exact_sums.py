"""Exact sums against Python's own: integers by group, floats along rows."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from auctions._exact import array_fsum, group_sum, row_fsum


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


def _long_array(kind: str, seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.uniform(0.0, 1e6, n)
    if kind == "signed":
        return rng.normal(0.0, 1e3, n) * 10.0 ** rng.integers(-8, 8, n)
    if kind == "payments":  # whole lots times prices in cents
        return rng.integers(0, 10, n) * (rng.integers(1000, 6000, n) / 100)
    # Midpoints: a large value, ones, and tiny nudges scattered in zeros.
    x = np.zeros(n)
    at = rng.choice(n, size=min(n, 64), replace=False)
    x[at[0]] = 2.0**53
    x[at[1:32]] = 1.0
    x[at[32:]] = rng.choice([2.0**-60, -(2.0**-60), 0.5, -0.5], size=at[32:].size)
    return x


@given(st.sampled_from(["uniform", "signed", "payments", "midpoints"]),
       st.integers(0, 2**32 - 1), st.integers(1, 20_000))
@example("midpoints", 0, 10_003)
def test_array_fsum_is_math_fsum(kind, seed, n):
    x = _long_array(kind, seed, n)
    assert repr(array_fsum(x)) == repr(math.fsum(x.tolist()))


def test_array_fsum_of_hard_long_arrays():
    zeros = np.zeros(100_000)
    assert array_fsum(zeros) == 0.0
    # 2^53 + 1 + 2^-60 rounds up to 2^53 + 2; rounding the pairs to even gives 2^53.
    x = np.zeros(10_003)
    x[:3] = [2.0**53, 1.0, 2.0**-60]
    assert array_fsum(x) == math.fsum(x.tolist()) == 2.0**53 + 2
    with pytest.raises(OverflowError):
        array_fsum(np.full(10_000, 1e308))
    assert math.isnan(array_fsum(np.r_[np.full(10_000, 1.0), np.nan]))
    assert array_fsum(np.r_[np.full(10_000, 1.0), np.inf]) == math.inf
