"""Exact sums: of whole numbers by group, and of money along rows; and the
decimal context of every decimal computation.

``numpy.bincount`` sums its weights as float64, which rounds totals above
2^53: a bidder asking for 2^53 + 1 permits would be counted as asking for
2^53. Permits are integers and must be summed as integers
(:func:`group_sum`).

Revenue is the exact sum of the payments, ``math.fsum``: the correctly
rounded sum. :func:`row_fsum` gives it for many rows at once, and
:func:`array_fsum` for one long array. Where a sum of floats must be known
without any rounding at all, :func:`dyadic_sum` gives it as a whole number
of a power of two.

Prices escalated to the cent, band edges and sums of money are computed in
:class:`~decimal.Decimal` under :data:`DECIMAL` (``with
decimal.localcontext(DECIMAL)``), never under the caller's current context:
a notebook that sets ``decimal.getcontext().prec = 4`` for display must not
change a reserve price.
"""

from __future__ import annotations

import decimal
import math
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DECIMAL", "array_fsum", "dyadic_sum", "group_sum", "row_fsum"]

#: The decimal context of the library: 400 significant digits hold the whole
#: part and the cents of any float64 exactly (and any product of two decimals
#: as floats write them), halves round up, and an invalid operation, a
#: division by zero or an overflow raises.
DECIMAL: Final = decimal.Context(
    prec=400, rounding=decimal.ROUND_HALF_UP, Emin=-999_999, Emax=999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


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


def dyadic_sum(values: NDArray[np.float64]) -> tuple[int, int]:
    """The exact sum of finite non-negative floats, as ``(whole, exponent)``.

    The sum is ``whole * 2**exponent``, with no rounding. Read as bits, a
    non-negative float is a 53-bit whole number (its significand) times a
    power of two fixed by its exponent field. Where the fields span at most
    ten powers of two, the significands are aligned to the lowest and summed
    in two int64 halves. Otherwise they are split into halves of 27 and 26
    bits and summed by exponent field with ``numpy.bincount``, whose float64
    sums stay exact below 2^53 (up to 2^26 values), and the sums by exponent
    are added in Python integers.

    Examples
    --------
    >>> from fractions import Fraction
    >>> whole, exponent = dyadic_sum(np.array([0.1, 0.2, 1e-300]))
    >>> Fraction(whole) * Fraction(2) ** exponent == sum(map(Fraction, [0.1, 0.2, 1e-300]))
    True
    >>> dyadic_sum(np.array([0.75, 0.5]))  # 1.25 = 5 * 2**51 * 2**-53
    (11258999068426240, -53)
    """
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    field = bits >> 52  # no sign bit: the values are >= 0
    significand = bits & (2**52 - 1)
    # The implicit leading bit, which zero and subnormals (field 0) lack.
    significand |= np.left_shift(field != 0, 52, dtype=np.int64)
    # Field f >= 1 is worth 2**(f - 1075), field 0 2**-1074.
    lowest = int(np.minimum.reduce(field, where=bits != 0, initial=2047))
    if lowest == 2047:
        return 0, 0
    first = max(lowest, 1)
    if int(field.max()) - first <= 10:
        # Every significand shifted to the lowest power stays below 2^63.
        np.subtract(field, first, out=field)
        np.maximum(field, 0, out=field)
        np.left_shift(significand, field, out=significand)
        high = int(np.right_shift(significand, 31, out=field).sum())
        low = int(np.bitwise_and(significand, 2**31 - 1, out=significand).sum())
        return (high << 31) + low, first - 1075
    if values.size < 2**26:
        high_sums = np.bincount(field, weights=significand >> 26).astype(np.int64)
        low_sums = np.bincount(field, weights=significand & (2**26 - 1)).astype(np.int64)
    else:  # pragma: no cover - 67 million values
        size = int(field.max()) + 1
        high_sums = group_sum(field, significand >> 26, size)
        low_sums = group_sum(field, significand & (2**26 - 1), size)
    whole = 0
    for f in np.flatnonzero(high_sums | low_sums).tolist():
        whole += ((int(high_sums[f]) << 26) + int(low_sums[f])) << (max(f, 1) - first)
    return whole, first - 1075


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
    sure = _rounds_surely(total, rest, _doubt(n) * size)
    for i in np.flatnonzero(~sure).tolist():
        total[i] = math.fsum(values[i].tolist())
    return total


def array_fsum(values: NDArray[np.float64]) -> float:
    """``math.fsum`` of a 1-D array, several times faster on long arrays.

    The array is cut into rows, each row summed by *Sum2* as in
    :func:`row_fsum`, and the pairs added exactly by ``math.fsum``; the
    answer is kept where the error bound leaves no doubt about its rounding,
    and otherwise found by ``math.fsum`` over the whole array.

    Examples
    --------
    >>> array_fsum(np.full(10_000, 0.1)) == math.fsum([0.1] * 10_000)
    True
    """
    n = values.size
    width = math.isqrt(n // 4)
    if width < 16:
        return math.fsum(values.tolist())
    rows = n // width
    with np.errstate(over="ignore", invalid="ignore"):
        high, low, size = _sum2(values[: rows * width].reshape(rows, width))
    parts = [*high.tolist(), *low.tolist(), *values[rows * width:].tolist()]
    try:
        total = math.fsum(parts)
        rest = math.fsum([*parts, -total])  # the pairs' exact sum less total, rounded
    except (OverflowError, ValueError):
        return math.fsum(values.tolist())
    # ``rest`` itself is rounded: allow for its last bit too.
    doubt = _doubt(width) * float(size.sum()) * (1 + 2.0**-40) + (math.ulp(rest) if rest else 0.0)
    sure = _rounds_surely(np.array([total]), np.array([rest]), np.array([doubt]))
    return total if sure[0] else math.fsum(values.tolist())


def _doubt(n: int) -> float:
    """``2 gamma(n-1)**2``: times the sum of magnitudes, a bound on how far a
    *Sum2* pair of ``n`` values lies from their exact sum."""
    gamma = (n - 1) * 2.0**-53 / (1 - (n - 1) * 2.0**-53)
    return 2.0 * gamma * gamma


def _rounds_surely(
    total: NDArray[np.float64], rest: NDArray[np.float64], doubt: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Where ``total`` is surely the correct rounding of a sum known to lie within
    ``doubt`` of ``total + rest``: all of that range is nearer to ``total`` than to
    either neighbouring float (an exact sum of zero is sure)."""
    with np.errstate(invalid="ignore"):
        above = np.nextafter(total, np.inf) - total
        below = total - np.nextafter(total, -np.inf)
        near = (rest + doubt < above / 2) & (doubt - rest < below / 2)
    exact_zero = (total == 0) & (rest == 0) & (doubt == 0)
    sure: NDArray[np.bool_] = np.isfinite(total) & (near | exact_zero)
    return sure


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
