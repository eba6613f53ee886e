"""The marginal bid of many auctions at once, found with one sort of packed keys.

Row ``i`` holds the bids of auction ``i``: ``prices[i, j]`` for ``lots[i, j]``
lots. The marginal bid of a row is the bid that takes its ``traded[i]``-th lot
when lots go to the highest bids first; its price is the row's *level*.

Sorting the prices with ``numpy.argsort`` and gathering the lots in that order
costs several times a plain sort. Here each bid becomes one ``int64`` key
whose high bits are the bits of its price, inverted so that the highest price
sorts first (a non-negative float's bit pattern orders as the float does),
whose low bits hold its column and then its lots,
and the keys are sorted with ``numpy.sort``, which has vectorised kernels. The
lots and the column are read back from the sorted keys.

Dropping the lowest bits of the price puts prices that differ only there into
one *bucket*. Cumulative lots are exact at every bucket boundary, so the level
is exact whenever the marginal bucket holds a single price. A row whose
marginal bucket holds two or more bids is checked: if their prices differ
(prices equal to about 12 significant digits), the row is solved again
exactly by ``numpy.argsort``. The answer is therefore always exact.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["Marginal", "marginal_bids"]

#: The most low bits of the price a key may give up to lots and column.
MAX_PACKED_BITS: Final = 40


class Marginal(NamedTuple):
    """Where each row's cumulative demand reaches the quantity traded.

    Attributes
    ----------
    level : ndarray of float64
        The marginal bid's price (the highest bid's price where nothing is
        traded).
    column : ndarray of int64
        The marginal bid's column.
    alone : ndarray of bool
        True where no other bid of the row has the level price, so that the
        marginal bid alone takes what is left.
    above : ndarray of int64
        Lots bid strictly above the level.
    demand, traded : ndarray of int64
        Each row's lots in all, and the lots it trades: the smaller of its
        demand and its supply.
    """

    level: NDArray[np.float64]
    column: NDArray[np.int64]
    alone: NDArray[np.bool_]
    above: NDArray[np.int64]
    demand: NDArray[np.int64]
    traded: NDArray[np.int64]


def marginal_bids(
    prices: NDArray[np.float64], lots: NDArray[np.int64], supply: NDArray[np.int64],
    *, work: NDArray[np.int64] | None = None, max_lots: int | None = None,
) -> Marginal:
    """The marginal bid of each row.

    Parameters
    ----------
    prices : ndarray of float64, shape (n_rows, n)
        Finite and non-negative, with no negative zero.
    lots : ndarray of int64, shape (n_rows, n)
        Non-negative.
    supply : ndarray of int64, shape (n_rows,)
        Lots for sale in each row, >= 0.
    work : ndarray of int64, shape (2, n_rows, n), optional
        Memory for the keys and the running sums, overwritten.
    max_lots : int, optional
        ``lots.max()``, where the caller knows it already.

    Returns
    -------
    Marginal

    Examples
    --------
    >>> m = marginal_bids(np.array([[9.0, 7.0, 5.0]]), np.array([[2, 2, 2]]), np.array([3]))
    >>> m.level.tolist(), m.column.tolist(), m.alone.tolist(), m.above.tolist()
    ([7.0], [1], [True], [2])
    >>> m.demand.tolist(), m.traded.tolist()
    ([6], [3])
    """
    n = prices.shape[1]
    col_bits = (n - 1).bit_length()
    lot_bits = int(lots.max(initial=0) if max_lots is None else max_lots).bit_length()
    if col_bits + lot_bits > MAX_PACKED_BITS:
        return _exact(prices, lots, supply)
    if work is None:
        work = np.empty((2, *prices.shape), dtype=np.int64)
    keys = _sorted_keys(prices, lots, col_bits, lot_bits, work)
    return _from_keys(keys, work[1], prices, lots, supply, col_bits, lot_bits)


def _sorted_keys(
    prices: NDArray[np.float64], lots: NDArray[np.int64], col_bits: int, lot_bits: int,
    work: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Keys ``[~price bits | column | lots]`` sorted along rows (highest price first)
    in ``work[0]``."""
    # Setting the low bits and then flipping every bit but the column's inverts
    # the price and leaves the column over cleared lots' bits: two passes, not three.
    low_bits = (1 << (col_bits + lot_bits)) - 1
    keys: NDArray[np.int64] = work[0]
    np.bitwise_or(prices.view(np.int64), low_bits, out=keys)
    keys ^= ~(np.arange(prices.shape[1], dtype=np.int64) << lot_bits)
    keys |= lots
    keys.sort(axis=1)
    return keys


def _from_keys(
    keys: NDArray[np.int64], cum: NDArray[np.int64], prices: NDArray[np.float64],
    lots: NDArray[np.int64], supply: NDArray[np.int64], col_bits: int, lot_bits: int,
) -> Marginal:
    n_rows, n = keys.shape
    low = col_bits + lot_bits
    base = np.arange(n_rows, dtype=np.int64) * n
    np.bitwise_and(keys, (1 << lot_bits) - 1, out=cum)
    pos, above, demand, traded = _reach(cum, supply, base, (1 << lot_bits) - 1)
    flat_keys = keys.ravel()
    marginal_key = flat_keys[base + pos]
    column = (marginal_key >> lot_bits) & ((1 << col_bits) - 1)
    bucket = marginal_key >> low
    prev_same = (pos > 0) & (flat_keys[base + np.maximum(pos - 1, 0)] >> low == bucket)
    next_same = (pos < n - 1) & (flat_keys[base + np.minimum(pos + 1, n - 1)] >> low == bucket)
    alone = ~(prev_same | next_same)
    level = prices.ravel()[base + column]
    result = Marginal(level, column, alone, above, demand, traded)
    crowded = np.flatnonzero(~alone)
    if crowded.size:
        _settle_crowded(result, crowded, prices, lots, traded, low)
    return result


def _reach(
    cum: NDArray[np.int64], supply: NDArray[np.int64], base: NDArray[np.int64], most: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Where each row of sorted lots reaches the lots it trades.

    ``cum`` holds the lots in sorted order and is overwritten by their running
    sum over the rows laid end to end, so that one ``numpy.searchsorted``
    finds every row's marginal position (``most`` bounds the lots of one
    bid). Returns the position in the row (0 where nothing is traded), the
    lots before it, and each row's demand and traded lots.
    """
    n = cum.shape[1]
    if cum.size * (most + 1) >= 2**62:
        return _reach_by_row(cum, supply, base)
    flat = cum.ravel()
    np.cumsum(flat, out=flat)
    ends = flat[base + n - 1]
    starts = np.concatenate(([0], ends[:-1]))
    demand = ends - starts
    traded = np.minimum(supply, demand)
    at = np.maximum(np.searchsorted(flat, starts + traded), base)
    above = np.where(at > base, flat[at - 1] - starts, 0)
    return at - base, above, demand, traded


def _reach_by_row(
    cum: NDArray[np.int64], supply: NDArray[np.int64], base: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """:func:`_reach` with a running sum per row, where one over all rows could overflow."""
    np.cumsum(cum, axis=1, out=cum)
    demand = cum[:, -1].copy()
    traded = np.minimum(supply, demand)
    pos = _first_reaching(cum, traded, base)
    above = np.where(pos > 0, cum.ravel()[base + np.maximum(pos - 1, 0)], 0)
    return pos, above, demand, traded


def _first_reaching(
    cum: NDArray[np.int64], traded: NDArray[np.int64], base: NDArray[np.int64],
) -> NDArray[np.int64]:
    """The first column where each row's cumulative sum reaches ``traded`` (0 if none).

    A binary search of all rows at once: ``below`` counts the columns whose sum
    is under ``traded``, found one bit at a time from the highest.
    """
    n = cum.shape[1]
    flat = cum.ravel()
    below = np.zeros(len(traded), dtype=np.int64)
    step = 1 << (n.bit_length() - 1)
    while step:
        reach = below + step
        under = flat[base + np.minimum(reach, n) - 1] < traded
        under &= reach <= n
        below += under * step
        step >>= 1
    return np.where(below < n, below, 0)


def _settle_crowded(
    result: Marginal, rows: NDArray[np.intp], prices: NDArray[np.float64],
    lots: NDArray[np.int64], traded: NDArray[np.int64], low: int,
) -> None:
    """Rows whose marginal bucket holds several bids: check them, redo any that mix prices."""
    p, q, level = prices[rows], lots[rows], result.level[rows]
    bucket = np.invert(p.view(np.int64)) >> low
    in_bucket = bucket == (np.invert(level.view(np.int64)) >> low)[:, None]
    mixed = (in_bucket & (p != level[:, None])).any(axis=1)
    result.alone[rows], result.above[rows] = _around(p, q, level)
    if mixed.any():
        redo = rows[mixed]
        exact = _exact(prices[redo], lots[redo], traded[redo])
        for name, values in zip(Marginal._fields, exact, strict=True):
            getattr(result, name)[redo] = values


def _exact(
    prices: NDArray[np.float64], lots: NDArray[np.int64], supply: NDArray[np.int64],
) -> Marginal:
    """The same answer by ``numpy.argsort``, for rows the packed keys cannot settle."""
    n_rows, n = prices.shape
    order = np.argsort(-prices, axis=1, kind="stable")
    base = np.arange(n_rows, dtype=np.int64) * n
    pos, _, demand, traded = _reach(np.take_along_axis(lots, order, axis=1), supply, base,
                                    int(lots.max(initial=0)))
    column = order[np.arange(n_rows), pos].astype(np.int64)
    level = prices[np.arange(n_rows), column]
    alone, above = _around(prices, lots, level)
    return Marginal(level, column, alone, above, demand, traded)


def _around(
    prices: NDArray[np.float64], lots: NDArray[np.int64], level: NDArray[np.float64],
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Whether at most one bid with lots has the level price, and the lots above it."""
    at_level = (prices == level[:, None]) & (lots > 0)
    above: NDArray[np.int64] = (lots * (prices > level[:, None])).sum(axis=1)
    return at_level.sum(axis=1) <= 1, above
