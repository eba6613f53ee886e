"""Exact sums of whole numbers by group.

``numpy.bincount`` sums its weights as float64, which rounds totals above
2^53: a bidder asking for 2^53 + 1 permits would be counted as asking for
2^53. Permits are integers and must be summed as integers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["group_sum"]


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
