"""Exact sums: of whole numbers by group, and of money along rows.

``numpy.bincount`` sums its weights as float64, which rounds totals above
2^53: a bidder asking for 2^53 + 1 permits would be counted as asking for
2^53. Permits are integers and must be summed as integers
(:func:`group_sum`).

Revenue is the exact sum of the payments, ``math.fsum``: the correctly
rounded sum. :func:`row_fsum` gives it for many rows at once.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["group_sum", "row_fsum"]


def group_sum(codes: ArrayLike, values: ArrayLike, n_groups: int) -> NDArray[np.int64]:
    """The exact int64 sum of ``values`` in each of ``n_groups`` groups.

    Parameters
    ----------
    codes : array_like of int
        The group of each value, ``0 <= code < n_groups``.
    values : array_like of int
        Whole numbers whose sum in each group fits in int64.
    n_groups : int

    Returns
    -------
    ndarray of int64, shape (n_groups,)

    Examples
    --------
    >>> group_sum([0, 0, 1], [2**53, 1, 5], 2).tolist()
    [9007199254740993, 5]
    """
    out = np.zeros(n_groups, dtype=np.int64)
    np.add.at(out, np.asarray(codes, dtype=np.intp), np.asarray(values, dtype=np.int64))
    return out


def row_fsum(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """``math.fsum`` of each row: the correctly rounded sum of its values.

    Many short rows are summed column by column in two floats at once (the
    running sum and the running sum of its rounding errors, Ogita, Rump and
    Oishi's *Sum2*). That pair is within ``gamma(n-1)**2 * sum(|x|)`` of the
    exact sum; where rounding the pair to one float could fall either way
    within that bound, and for long rows, the row is summed by
    ``math.fsum`` instead. The result is therefore always ``math.fsum``'s.

    References
    ----------
    Ogita, T., Rump, S. M. and Oishi, S. (2005). Accurate sum and dot
    product. *SIAM Journal on Scientific Computing* 26(6), 1955-1988,
    algorithm 4.4 and proposition 4.5.

    Examples
    --------
    >>> row_fsum(np.array([[0.1] * 10, [1e100, 1.0, -1e100, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]))
    array([1., 1.])
    """
    n_rows, n = values.shape
    if n_rows < 4 * n:
        return np.array([math.fsum(row) for row in values.tolist()])
    with np.errstate(over="ignore", invalid="ignore"):  # such rows go to math.fsum
        high, low, size = _sum2(values)
        total = high + low
        part = total - high
        rest = (high - (total - part)) + (low - part)  # exactly high + low - total
    gamma = (n - 1) * 2.0**-53 / (1 - (n - 1) * 2.0**-53)
    doubt = 2.0 * gamma * gamma * size
    # The exact sum lies within ``doubt`` of ``total + rest``; ``total`` is its
    # correct rounding when all of that range is nearer to ``total`` than to
    # either neighbouring float.
    with np.errstate(invalid="ignore"):
        above = np.nextafter(total, np.inf) - total
        below = total - np.nextafter(total, -np.inf)
        sure = np.isfinite(total) & (rest + doubt < above / 2) & (doubt - rest < below / 2)
    for i in np.flatnonzero(~sure).tolist():
        total[i] = math.fsum(values[i].tolist())
    return total


def _sum2(
    values: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per row: the float running sum, the float sum of its rounding errors (each
    found exactly by Knuth's TwoSum), and the float sum of the magnitudes."""
    columns = np.ascontiguousarray(values.T)
    high = np.zeros(values.shape[0])
    low, size = np.zeros_like(high), np.zeros_like(high)
    for x in columns:
        total = high + x
        part = total - high
        low += (high - (total - part)) + (x - part)
        high = total
        size += np.abs(x)
    return high, low, size
