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

from functools import cached_property
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._exact import array_fsum, dyadic_sum
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

    The fraction is compared with one half exactly (``x - floor(x)`` has no
    rounding error), not by flooring ``x + 0.5``, which rounds
    0.49999999999999994 up and moves odd whole numbers above 2^52.

    Parameters
    ----------
    values : array_like of float
        Finite values >= 0 and below 2^63.

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> round_half_up([0.5, 1.49, 2.5, 3.0]).tolist()
    [1, 1, 3, 3]
    >>> round_half_up([0.49999999999999994, 2.0**52 + 1]).tolist()
    [0, 4503599627370497]
    """
    arr = _as_shares("values", values)
    if arr.size and not arr.max() < 2.0**63:
        i = int(np.argmax(arr >= 2.0**63))
        raise ValueError(f"values must be below 2**63 to be counted in int64 permits "
                         f"(got {float(arr[i])!r} at index {i})")
    whole = np.floor(arr)
    up = arr - whole >= 0.5
    rounded: NDArray[np.int64] = whole.astype(np.int64) + up
    return rounded


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
    ``priority`` (row order when omitted).

    The floors and the order of the remainders are those of the exact
    rational quotas ``total * q / sum(quotas)``, not of their float64
    approximations. The quotas are scaled in float64 with a bound on each
    one's error; a floor or a remainder the bound leaves in doubt is worked
    out in exact integer arithmetic, once per distinct quota (every float is
    a whole number of the smallest power of two among them).

    Parameters
    ----------
    quotas : array_like of float
        Finite values >= 0, not all zero unless ``total`` is 0.
    total : int
        The whole number the result must add up to, ``0 <= total < 2**63``.
    priority : array_like of real, optional
        A distinct rank per row (finite numbers, no two equal) that breaks
        ties between equal remainders (lower first). The allocation rules
        pass the rank of each firm's id, so that the result does not depend
        on the order of the rows. It is checked up front, except an object
        that only converts to an array (it has ``__array__`` but no
        ``__len__``, as the rules' lazy id ranks): that is read, and checked,
        only when a tie must be broken.

    Returns
    -------
    ndarray of int64
        ``floor(q)`` or ``floor(q) + 1`` for each exact scaled quota ``q``,
        adding up to ``total`` exactly.

    Raises
    ------
    ValueError, TypeError
        For negative or non-finite quotas, a total below 0 or beyond int64,
        quotas that are all zero with a positive total, or a priority that
        is not one distinct finite real number per quota.

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
    >>> largest_remainder([1, 1, 1], 7, priority=[2, 2, 0])
    Traceback (most recent call last):
    ...
    ValueError: priority must hold a distinct rank per quota (got 2 at indices 0 and 1)

    The smallest and the largest floats are quotas like any other:

    >>> largest_remainder([5e-324, 5e-324, 1e-323], 3).tolist()
    [1, 1, 1]
    >>> largest_remainder([1e308, 1e308, 1e308], 4).tolist()
    [2, 1, 1]
    """
    q = _as_shares("quotas", quotas)
    target = check_nonnegative_int("total", total)
    if target >= 2**63:
        raise ValueError(f"total must be below 2**63, the largest int64 (got {target})")
    n = q.size
    if priority is not None and not _is_lazy(priority):
        priority = _ranks(priority, n)
    if target == 0 or n == 0:
        if target and not n:
            raise ValueError(f"quotas must not be empty when total is {target}")
        return np.zeros(n, dtype=np.int64)
    if not q.max() > 0.0:
        raise ValueError(f"quotas must not all be zero when total is {target} (got sum 0)")
    return _Hamilton(q, target, priority).apportion()


def _is_lazy(priority: object) -> bool:
    """Whether ``priority`` only converts to an array (read when a tie needs it)."""
    return (hasattr(priority, "__array__") and not isinstance(priority, np.ndarray)
            and not hasattr(priority, "__len__"))


def _ranks(priority: Any, n: int) -> NDArray[Any]:
    """``priority`` checked: one distinct finite real number per quota."""
    rank = np.asarray(priority)
    if rank.dtype == np.bool_ or rank.dtype.kind not in "iuf":
        raise TypeError(f"priority must hold real numbers (got dtype {rank.dtype})")
    if rank.shape != (n,):
        raise ValueError(f"priority must have one entry per quota (got shape {rank.shape})")
    if rank.dtype.kind == "f" and not np.isfinite(rank).all():
        i = int(np.argmax(~np.isfinite(rank)))
        raise ValueError(f"priority must be finite (got {float(rank[i])!r} at index {i})")
    order = np.argsort(rank, kind="stable")
    same = np.flatnonzero(rank[order[1:]] == rank[order[:-1]])
    if same.size:
        i, j = sorted(order[same[0] : same[0] + 2].tolist())
        raise ValueError(f"priority must hold a distinct rank per quota (got "
                         f"{rank[i].item()!r} at indices {i} and {j})")
    return rank


#: The bound on a scaled quota's relative error: four roundings (the total as a
#: float, the sum of the quotas, the division and the product) of at most
#: 2^-53 each, with room to spare.
_RELATIVE_ERROR: Final = 2.0**-50

#: The bound on its absolute error from underflow (the quotas are scaled by a
#: power of two, the smallest may lose bits below 2^-1074).
_ABSOLUTE_ERROR: Final = 2.0**-1000


class _Hamilton:
    """The largest-remainder apportionment of ``total`` by the float ``quotas``.

    ``scaled`` holds each quota times ``total / sum(quotas)`` in float64;
    :meth:`error` bounds how far one lies from the exact rational value, and
    ``largest_error`` bounds them all. Exact values, where needed, are whole
    numbers: the quotas in units of ``2**unit`` and their sum ``mass``
    (``_dyadic``); the exact scaled quota of ``q`` is ``total * q / mass``,
    whose remainder is ``numerator / mass``.
    """

    def __init__(self, q: NDArray[np.float64], total: int, priority: Any) -> None:
        self.q, self.total, self.priority = q, total, priority
        unit_quotas = np.ldexp(q, -int(np.frexp(q.max())[1]))  # the largest in [0.5, 1)
        self.scaled = unit_quotas * (float(total) / exact_sum(unit_quotas))
        self.largest_error = float(self.scaled.max()) * _RELATIVE_ERROR + _ABSOLUTE_ERROR
        self.exact: dict[float, tuple[int, int]] = {}

    @cached_property
    def _dyadic(self) -> tuple[int, int]:
        """``(mass, unit)``: the exact sum of the quotas, ``mass * 2**unit``."""
        return dyadic_sum(self.q)

    def error(self, rows: NDArray[np.intp]) -> NDArray[np.float64]:
        """A bound on the error of the scaled quotas of ``rows``."""
        bound: NDArray[np.float64] = self.scaled[rows] * _RELATIVE_ERROR + _ABSOLUTE_ERROR
        return bound

    def apportion(self) -> NDArray[np.int64]:
        """Exact floors, then one more to each of the largest exact remainders."""
        floors = np.floor(self.scaled)
        rest = self.scaled - floors
        with np.errstate(invalid="ignore"):  # floors near 2^63 are in doubt, redone below
            out = floors.astype(np.int64)
        # A floor is in doubt if the exact value may lie across a whole number
        # (below a floor of 0 it cannot: no quota is negative).
        most = self.largest_error
        near = np.flatnonzero(((rest < most) & (floors > 0)) | (rest + most >= 1.0))
        error = self.error(near)
        doubt = near[(rest[near] < error) | (rest[near] + error >= 1.0)]
        if doubt.size:
            out[doubt], rest[doubt] = self._exact_at(doubt)
        left = self.total - int(out.sum())
        if not 0 <= left <= out.size:  # pragma: no cover - the floors are exact
            raise AssertionError(f"exact floors leave {left} of {self.total}")
        if left:
            out[self._largest(rest, left)] += 1
        return out

    def _largest(self, rest: NDArray[np.float64], k: int) -> NDArray[np.intp]:
        """The rows of the ``k`` largest exact remainders (ties by priority).

        With ``t`` the ``k``-th largest float remainder, fewer than ``k`` rows
        lie above it and at least ``k`` at or above it. A row whose remainder
        surely exceeds every row at or below ``t`` is among the ``k``; a row
        surely below every row at or above ``t`` is not. Rows more than twice
        the largest error from ``t`` are one or the other; the rest are sorted
        out with their own error bounds, and only those still in doubt are
        compared exactly. (Remainders found exactly keep the bound of their
        scaled quota, which is larger than their own.)
        """
        n = rest.size
        t = np.partition(rest, n - k)[n - k]
        reach = 2.0 * self.largest_error
        chosen = np.flatnonzero(rest > t + reach)
        near = np.flatnonzero((rest >= t - reach) & (rest <= t + reach))
        r, error = rest[near], self.error(near)
        up, down = r + error, r - error
        sure = down > up[r <= t].max()
        open_rows = near[~sure & (up >= down[r >= t].min())]
        chosen = np.concatenate((chosen, near[sure]))
        return np.concatenate((chosen, self._exact_best(open_rows, k - chosen.size)))

    def _exact_best(self, rows: NDArray[np.intp], k: int) -> NDArray[np.intp]:
        """The ``k`` of ``rows`` with the largest exact remainders, ties by priority."""
        if k == 0:
            return rows[:0]
        quotas = self.q[rows]
        if (quotas == quotas[0]).all():  # one quota, one remainder: ties by priority alone
            return rows[self._by_priority(rows)[:k]]
        pairs, group = self._by_value(quotas)
        numerators = [r for _, r in pairs]
        place = {r: i for i, r in enumerate(sorted(set(numerators), reverse=True))}
        key = np.array([place[r] for r in numerators], dtype=np.int64)[group]
        order = np.argsort(key, kind="stable")  # ties in row order
        if k < rows.size and key[order[k - 1]] == key[order[k]]:
            by_priority = self._by_priority(rows)
            order = by_priority[np.argsort(key[by_priority], kind="stable")]
        return rows[order[:k]]

    @cached_property
    def _rank(self) -> NDArray[Any]:
        """The priority, read and checked once (it may be lazy)."""
        return _ranks(self.priority, self.q.size)

    def _by_priority(self, rows: NDArray[np.intp]) -> NDArray[np.intp]:
        """Positions in ``rows`` in increasing priority (row order without one)."""
        if self.priority is None:
            return np.arange(rows.size)
        order: NDArray[np.intp] = np.argsort(self._rank[rows], kind="stable")
        return order

    def _exact_at(self, rows: NDArray[np.intp]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Exact floors and remainders (rounded) of the scaled quotas of ``rows``."""
        pairs, group = self._by_value(self.q[rows])
        mass = self._dyadic[0]
        whole = np.array([w for w, _ in pairs], dtype=np.int64)
        fraction = np.array([r / mass for _, r in pairs])
        return whole[group], fraction[group]

    def _by_value(
        self, quotas: NDArray[np.float64],
    ) -> tuple[list[tuple[int, int]], NDArray[np.intp]]:
        """:meth:`_divmod` of each distinct quota, and each row's index into them."""
        values, group = np.unique(quotas, return_inverse=True)
        return [self._divmod(v) for v in values.tolist()], group

    def _divmod(self, value: float) -> tuple[int, int]:
        """``divmod(total * value, sum of quotas)`` in units of ``2**unit``."""
        if value not in self.exact:
            mass, unit = self._dyadic
            numerator, denominator = value.as_integer_ratio()  # denominator a power of 2
            shift = -unit - (denominator.bit_length() - 1)
            units = numerator << shift if shift >= 0 else numerator >> -shift
            self.exact[value] = divmod(self.total * units, mass)
        return self.exact[value]
