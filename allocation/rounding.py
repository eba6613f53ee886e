"""Whole permits: rounding shares so that totals equal their targets exactly.

Every free-allocation rule first computes a real-valued entitlement per
installation; permits, however, are whole. Rounding each entitlement on its
own can create or lose permits, so when a total is fixed (a cap, a free
budget) the library uses the largest-remainder method (Hamilton's method):
every share is rounded down, and the permits still missing go one each to the
largest fractional remainders. Each share then ends within one permit of its
exact value and the shares add up to the target.

Ties between equal remainders are broken by a caller-supplied priority (the
rules use the rank of the firm's id), never by row order, so that permuting
the firms permutes the result.

References
----------
Balinski, M. L. and Young, H. P. (2001). *Fair Representation: Meeting the
Ideal of One Man, One Vote*, 2nd ed. Brookings Institution Press, chapter 2
and appendix A (Hamilton's method of largest remainders).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._exact import array_fsum
from auctions._validate import check_nonnegative_int

__all__ = ["exact_sum", "largest_remainder", "round_half_up"]


def exact_sum(values: NDArray[np.float64]) -> float:
    """The correctly rounded sum of ``values``, whatever their order.

    :func:`numpy.sum` adds pairwise, so its last bits depend on the order of
    the values; a share computed from it could then depend on the order of
    the firms. :func:`math.fsum` does not; this is its value, computed
    faster on long arrays (:func:`auctions._exact.array_fsum`).

    Examples
    --------
    >>> exact_sum(np.array([1e16, 1.0, -1e16]))
    1.0
    """
    return array_fsum(np.asarray(values, dtype=np.float64).ravel())


def _as_shares(name: str, values: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (got shape {arr.shape})")
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    out = np.array(arr, dtype=np.float64, copy=True)
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name} must be finite and >= 0 (got {float(out[i])!r} at index {i})")
    return out


def round_half_up(values: ArrayLike) -> NDArray[np.int64]:
    """Each non-negative value rounded to the nearest whole number, halves up.

    Used where no total is imposed (an allocation whose cap does not bind):
    each installation's permits are its own entitlement, rounded.

    Parameters
    ----------
    values : array_like of float
        Finite values >= 0.

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> round_half_up([0.5, 1.49, 2.5, 3.0]).tolist()
    [1, 1, 3, 3]
    """
    arr = _as_shares("values", values)
    return np.floor(arr + 0.5).astype(np.int64)


def largest_remainder(
    quotas: ArrayLike,
    total: int,
    *,
    priority: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """Whole numbers adding up to ``total`` in proportion to ``quotas``.

    The quotas are first scaled so that they add up to ``total`` (nothing
    changes when they already do). Each scaled quota is rounded down and the
    ``total - sum(floors)`` permits left go, one each, to the largest
    fractional remainders. Equal remainders are served in increasing order of
    ``priority`` (row order when omitted). Totals of 2^50 and more, whose
    scaled quotas float64 cannot floor reliably, are apportioned in exact
    integer arithmetic.

    Parameters
    ----------
    quotas : array_like of float
        Finite values >= 0, not all zero unless ``total`` is 0.
    total : int
        The whole number the result must add up to, >= 0.
    priority : array_like of int, optional
        A distinct rank per row that breaks ties between equal remainders
        (lower first). The allocation rules pass the rank of each firm's id,
        so that the result does not depend on the order of the rows.

    Returns
    -------
    ndarray of int64
        ``floor(q)`` or ``floor(q) + 1`` for each scaled quota ``q``,
        adding up to ``total`` exactly.

    Raises
    ------
    ValueError, TypeError
        For negative or non-finite quotas, a negative total, quotas that are
        all zero with a positive total, or a priority of the wrong length.

    References
    ----------
    Balinski and Young (2001), *Fair Representation*, appendix A.

    Examples
    --------
    Ten permits among quotas 3.4, 3.3 and 3.3: the floors give 9 and the one
    left goes to the largest remainder.

    >>> largest_remainder([3.4, 3.3, 3.3], 10).tolist()
    [4, 3, 3]

    Quotas are scaled to the total first, so shares work too:

    >>> largest_remainder([1, 1, 1], 7).tolist()
    [3, 2, 2]
    >>> largest_remainder([1, 1, 1], 7, priority=[2, 0, 1]).tolist()
    [2, 3, 2]
    """
    q = _as_shares("quotas", quotas)
    target = check_nonnegative_int("total", total)
    n = q.size
    rank = priority
    if isinstance(priority, np.ndarray | list | tuple):
        rank = np.asarray(priority)
        if rank.shape != (n,):
            raise ValueError(f"priority must have one entry per quota (got shape {rank.shape})")
    mass = exact_sum(q)
    if target == 0 or n == 0:
        if target and not n:
            raise ValueError(f"quotas must not be empty when total is {target}")
        return np.zeros(n, dtype=np.int64)
    if mass <= 0.0:
        raise ValueError(f"quotas must not all be zero when total is {target} (got sum 0)")
    if target >= _EXACT_FROM:
        return _exact_largest_remainder(q, target, rank)
    scaled = q * (target / mass)
    floors = np.floor(scaled)
    remainder = scaled - floors
    out = floors.astype(np.int64)
    # Floating-point scaling may push a floor one above or below the exact value;
    # correct the sum so that it never exceeds the target.
    excess = int(out.sum()) - target
    if excess > 0:
        order = _select(-remainder, excess, rank)
        out[order] -= 1
        remainder[order] += 1.0
        excess = 0
    left = -excess
    if left:
        out[_select(remainder, left, rank)] += 1
    return out


#: From this total on, a float64 scaled quota is too coarse to be floored within
#: one of its exact value (its last bit is worth 1/4 or more): the quotas are
#: apportioned in exact integer arithmetic instead.
_EXACT_FROM = 2**50


def _exact_largest_remainder(
    q: NDArray[np.float64], total: int, rank: ArrayLike | None,
) -> NDArray[np.int64]:
    """:func:`largest_remainder` in Python integers: every float quota is a whole
    number of units of ``1 / unit`` (``unit`` a power of two)."""
    ratios = [x.as_integer_ratio() for x in q.tolist()]
    unit = max(den for _, den in ratios)
    whole = [num * (unit // den) for num, den in ratios]
    mass = sum(whole)
    floors, remainders = zip(*(divmod(w * total, mass) for w in whole), strict=True)
    out = np.array(floors, dtype=np.int64)
    left = total - sum(floors)
    if left:
        order = np.arange(q.size) if rank is None else np.asarray(rank)
        if order.shape != q.shape:
            raise ValueError(f"priority must have one entry per quota (got shape {order.shape})")
        ties = order.tolist()
        best = sorted(range(q.size), key=lambda i: (-remainders[i], ties[i]))[:left]
        out[best] += 1
    return out


def _select(key: NDArray[np.float64], k: int, rank: ArrayLike | None) -> NDArray[np.intp]:
    """Indices of the ``k`` largest ``key`` values, ties by increasing ``rank``.

    Linear time in the usual case: a partition finds the threshold, and only
    the rows tied at the threshold are sorted.
    """
    n = key.size
    k = min(k, n)
    if k == 0:
        return np.empty(0, dtype=np.intp)
    threshold = np.partition(key, n - k)[n - k]
    above = np.flatnonzero(key > threshold)
    tied = np.flatnonzero(key == threshold)
    need = k - above.size
    if rank is not None and tied.size > need:
        order = np.asarray(rank)
        if order.shape != key.shape:
            raise ValueError(f"priority must have one entry per quota (got shape {order.shape})")
        tied = tied[np.argsort(order[tied], kind="stable")]
    return np.concatenate((above, tied[:need]))
