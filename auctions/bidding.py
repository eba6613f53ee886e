"""Bidding strategies: bids as functions of values, for simulated auctions.

Every strategy maps private values (an array, one per bidder or one per
bidder and unit) to bids of the same shape, vectorised.

References
----------
Vickrey, W. (1961). Counterspeculation, auctions, and competitive sealed
tenders. *Journal of Finance* 16(1), 8-37.
Krishna, V. (2010). *Auction Theory*, 2nd ed., sections 2.3 (first price)
and 12.1-12.3 (multi-unit auctions with unit demand).
Ausubel, L. M., Cramton, P., Pycia, M., Rostek, M. and Weretka, M. (2014).
Demand reduction and inefficiency in multi-unit auctions. *Review of Economic
Studies* 81(4), 1366-1400.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions._validate import check_nonnegative_int

__all__ = [
    "demand_reduction",
    "first_price_equilibrium",
    "pay_as_bid_equilibrium",
    "shaded",
    "truthful",
]


def _values(values: ArrayLike) -> NDArray[np.float64]:
    arr = np.array(values, dtype=np.float64, copy=True)
    if not np.isfinite(arr).all():
        raise ValueError("values must be finite")
    if (arr < 0).any():
        raise ValueError(f"values must be >= 0 (got {float(arr.min())!r})")
    return arr


def truthful(values: ArrayLike) -> NDArray[np.float64]:
    """Bid one's value (dominant in Vickrey and (k+1)-th price auctions with unit demand).

    Examples
    --------
    >>> truthful([0.2, 0.9]).tolist()
    [0.2, 0.9]
    """
    return _values(values)


def shaded(values: ArrayLike, factor: float) -> NDArray[np.float64]:
    """Bid a fixed share ``factor`` (in [0, 1]) of one's value.

    Examples
    --------
    >>> shaded([0.5, 1.0], 0.8).tolist()
    [0.4, 0.8]
    """
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 <= factor <= 1:
        raise ValueError(f"factor must be in [0, 1] (got {factor!r})")
    shaded_bids: NDArray[np.float64] = _values(values) * factor
    return shaded_bids


def first_price_equilibrium(values: ArrayLike, n_bidders: int) -> NDArray[np.float64]:
    """The symmetric equilibrium bid of a first-price auction, values U[0, 1].

    ``b(v) = (n - 1) / n * v``: each bidder bids the expected highest value
    of the others given that it is below its own.

    Examples
    --------
    >>> first_price_equilibrium([0.8], 4).tolist()
    [0.6000000000000001]
    """
    n = check_nonnegative_int("n_bidders", n_bidders, minimum=1)
    bids: NDArray[np.float64] = _values(values) * ((n - 1) / n)
    return bids


def pay_as_bid_equilibrium(values: ArrayLike, n_bidders: int, units: int) -> NDArray[np.float64]:
    """The symmetric equilibrium of a pay-as-bid auction of ``units`` with unit demand.

    Values are U[0, 1]. A bidder bids the expected ``units``-th highest of
    the other ``n_bidders - 1`` values given that it is below its own:
    ``b(v) = E[Y | Y < v]`` with ``Y ~ Beta(n - k, k)``, which is
    ``(n - k) / n * I_v(n - k + 1, k) / I_v(n - k, k)`` (``I`` the regularised
    incomplete beta function). With one unit this is the first-price bid.
    Expected revenue equals the uniform (k+1)-th price auction's,
    ``k (n - k) / (n + 1)`` (revenue equivalence).

    Examples
    --------
    >>> round(float(pay_as_bid_equilibrium([0.8], 4, 1)[0]), 6)
    0.6
    >>> bool(pay_as_bid_equilibrium([0.5], 5, 2)[0] < 0.5)
    True
    """
    from scipy.special import betainc

    n = check_nonnegative_int("n_bidders", n_bidders, minimum=1)
    k = check_nonnegative_int("units", units, minimum=1)
    v = _values(values)
    if k >= n:
        return np.zeros_like(v)  # every bidder wins: the lowest bid, zero, is enough
    a, b = n - k, k
    below = betainc(a, b, v)
    ratio = np.divide(betainc(a + 1, b, v), below, out=np.zeros_like(v), where=below > 0)
    bids: NDArray[np.float64] = a / (a + b) * ratio
    return bids


def demand_reduction(marginal_values: ArrayLike, keep: int) -> NDArray[np.float64]:
    """Bid one's values for the first ``keep`` units and nothing for the rest.

    ``marginal_values`` has one row per bidder and one column per unit,
    non-increasing along the row. In a uniform-price auction a bidder's bids
    for later units may set the price it pays for earlier ones; reducing
    demand lowers that price at the cost of units won.

    Examples
    --------
    Two bidders value two units each at 10 and 8; 2 units are on sale at the
    highest rejected bid. Both truthful: each wins one unit at 8. Both
    reducing to one unit: each wins one unit at 0.

    >>> demand_reduction([[10.0, 8.0], [10.0, 8.0]], keep=1).tolist()
    [[10.0, 0.0], [10.0, 0.0]]
    """
    values = _values(marginal_values)
    if values.ndim != 2:
        raise ValueError(f"marginal_values must be 2-D (bidders x units), got {values.ndim}-D")
    if (np.diff(values, axis=1) > 0).any():
        raise ValueError("marginal_values must not increase along each row")
    k = check_nonnegative_int("keep", keep)
    values[:, k:] = 0.0
    return values
