"""Double auctions: a call market where buyers' bids meet sellers' asks.

Both sides compete; the clearing engine matches the highest bids with the
lowest asks. Two rules:

- ``"uniform"``: every trade at one price. ``price_rule`` picks it within the
  range of market-clearing prices ``[lower, upper]`` (``lower`` the larger of
  the marginal accepted ask and the first rejected bid, ``upper`` the smaller
  of the marginal accepted bid and the first rejected ask): ``"k_double"``
  takes ``lower + k (upper - lower)`` (Rustichini, Satterthwaite and
  Williams' k-double auction), ``"midpoint"`` is ``k = 1/2``; the engine's
  one-sided rules ``"last_accepted"`` (the lowest accepted bid) and
  ``"first_rejected"`` (the highest rejected bid, at least the marginal
  ask) are available too. Buyers pay what sellers receive, up to the
  rounding below: the market's surplus is never negative and at most
  ``2**-52`` times what buyers pay and sellers receive together.
- ``"trade_reduction"``: McAfee's dominant-strategy double auction. With
  ``m`` units that could trade, let ``p0`` be the midpoint of the first
  excluded bid and ask. If ``p0`` lies between the ``m``-th ask and the
  ``m``-th bid, all ``m`` units trade at ``p0``. Otherwise only ``m - 1``
  trade: buyers pay the ``m``-th bid, sellers receive the ``m``-th ask, and
  the difference is the market maker's surplus. With one unit per trader,
  truthful bidding is a dominant strategy and the market never runs a
  deficit. Where no excluded bid or ask exists, the reduction applies. The
  test is decided on the exact midpoint (a float sum of the two could round
  it into the interval); the price reported is the float nearest to it,
  which lies in the interval too, as both its ends are floats.

Money is rounded in the market's favour. A payment is the permits won
times the buyers' price, a receipt the permits sold times the sellers'
price; where that product is not a float it is rounded up for a buyer and
down for a seller (to the next float, so within one unit in the last
place), and where it is a float (whole or half prices and modest
quantities) it is exact. Every buyer thus pays at least, and every seller
receives at most, the exact value of its permits at its price, and the
surplus (``AuctionResult.surplus``, an exact sum) is never negative. Under
the uniform rule the exact totals of the two sides are equal, so
``0 <= surplus <= 2**-52 * (revenue + sum(receipts))`` where the products
are normal floats (each subnormal one adds at most ``2**-1074``).

References
----------
McAfee, R. P. (1992). A dominant strategy double auction. *Journal of
Economic Theory* 56(2), 434-450.
Rustichini, A., Satterthwaite, M. A. and Williams, S. R. (1994). Convergence
to efficiency in a simple market with incomplete information.
*Econometrica* 62(5), 1041-1063.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from auctions._validate import check_choice, check_nonnegative_int
from auctions.bids import Bids, Offers
from auctions.clearing import (
    TIE_BREAKS,
    Clearing,
    Margins,
    PriceRule,
    SeedLike,
    TieBreak,
    clear,
)
from auctions.result import AuctionResult

__all__ = [
    "DOUBLE_PRICE_RULES",
    "DOUBLE_RULES",
    "double_auction",
    "market_clearing_range",
    "mcafee_price",
    "rounded_products",
]

DOUBLE_RULES: Final = ("uniform", "trade_reduction")
DOUBLE_PRICE_RULES: Final = ("midpoint", "k_double", "last_accepted", "first_rejected")

#: Veltkamp's splitter for float64: ``2**27 + 1``.
_SPLITTER: Final = 134217729.0
#: Prices (besides 0) for which Dekker's product of a count below 2**53 is
#: exact: no overflow in the splitting, no underflow in the error term.
_DEKKER_PRICES: Final = (2.0**-900, 2.0**900)


def market_clearing_range(margins: Margins) -> tuple[float, float]:
    """The interval of prices at which the traded quantity clears the market.

    Examples
    --------
    >>> market_clearing_range(Margins(10.0, 7.0, 6.0, 9.0))
    (7.0, 9.0)
    """
    lower = np.fmax(margins.highest_accepted_offer, margins.highest_rejected_bid)
    upper = np.fmin(margins.lowest_accepted_bid, margins.lowest_rejected_offer)
    return float(lower), float(upper)


def _uniform_price(cleared: Clearing, price_rule: str, k: float) -> float:
    if price_rule in ("last_accepted", "first_rejected"):
        return cleared.price
    assert cleared.margins is not None
    lower, upper = market_clearing_range(cleared.margins)
    weight = 0.5 if price_rule == "midpoint" else k
    return lower + weight * (upper - lower)


def _check_k(k: object) -> float:
    """``k`` as a float, after checking it is a real number in [0, 1].

    Any :class:`numbers.Real` is accepted (numpy scalars, fractions), and
    compared with 0 and 1 before it is rounded to a float.

    Examples
    --------
    >>> from fractions import Fraction
    >>> _check_k(Fraction(1, 4)), _check_k(np.float32(0.5)), _check_k(1)
    (0.25, 0.5, 1.0)
    >>> _check_k("0.5")
    Traceback (most recent call last):
    ...
    TypeError: k must be a real number (got '0.5' of type str)
    """
    if isinstance(k, bool | np.bool_):
        raise TypeError(f"k must be a real number, not a bool (got {k!r})")
    if not isinstance(k, numbers.Real):
        raise TypeError(f"k must be a real number (got {k!r} of type {type(k).__name__})")
    if k < 0 or not k <= 1:  # NaN is not <= 1
        raise ValueError(f"k must be a number in [0, 1] (got {k!r})")
    return float(k)


def mcafee_price(margins: Margins) -> float | None:
    """McAfee's ``p0`` if all ``m`` units trade at it, else None (reduce a trade).

    ``p0``, the midpoint of the first excluded bid and ask, must lie in
    ``[m-th ask, m-th bid]``: decided exactly on the rational midpoint.
    The float returned is the nearest to it, in that interval too.

    Examples
    --------
    The exact midpoint of 1 - 2**-53 and 1 + 2**-52 is 1 + 2**-54, above a
    marginal bid of 1.0, though their float sum halves to 1.0:

    >>> below, above = float(np.nextafter(1.0, 0.0)), float(np.nextafter(1.0, 2.0))
    >>> (below + above) / 2
    1.0
    >>> print(mcafee_price(Margins(1.0, below, 0.5, above)))
    None
    >>> mcafee_price(Margins(8.0, 5.0, 6.0, 9.0))
    7.0
    """
    bid, ask = margins.highest_rejected_bid, margins.lowest_rejected_offer
    if math.isnan(bid) or math.isnan(ask):
        return None
    twice = Fraction(bid) + Fraction(ask)
    low, high = margins.highest_accepted_offer, margins.lowest_accepted_bid
    if 2 * Fraction(low) <= twice <= 2 * Fraction(high):
        return float(twice / 2)
    return None


def _split(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Veltkamp's split of ``x`` into a high part of 26 bits and the rest."""
    c = _SPLITTER * x
    high = c - (c - x)
    return high, x - high


def _nearest_products(
    counts: NDArray[np.int64], price: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``counts * price`` rounded to nearest, and a float of the sign of the
    exact product less it (> 0: the float is below the exact product).

    Dekker's error-free product decides where the count is a float (below
    2**53) and the price is zero or in :data:`_DEKKER_PRICES`; the other
    entries are computed with fractions."""
    as_float = counts.astype(np.float64)
    with np.errstate(over="ignore"):  # counts >= 2**53 are recomputed below
        products = as_float * price
    if price == 0.0 or _DEKKER_PRICES[0] <= price <= _DEKKER_PRICES[1]:
        error, doubtful = _product_error(as_float, price, products), counts >= 2**53
    else:
        error, doubtful = np.zeros_like(products), counts != 0
    for i in np.flatnonzero(doubtful).tolist():
        exact = int(counts[i]) * Fraction(price)
        products[i] = nearest = float(exact)
        error[i] = (exact > nearest) - (exact < nearest)
    return products, error


def _product_error(
    counts: NDArray[np.float64], price: float, products: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``counts * price - products``, exactly (Dekker's product)."""
    p_high, p_low = _split(np.asarray(price, dtype=np.float64))
    if counts.max(initial=0.0) < 2**26:  # such counts need no split: their low part is 0
        return p_low * counts - (products - p_high * counts)
    c_high, c_low = _split(counts)
    return c_low * p_low - (((products - c_high * p_high) - c_low * p_high) - c_high * p_low)


def rounded_products(
    counts: NDArray[np.int64], price: float, *, direction: Literal["up", "down"],
) -> NDArray[np.float64]:
    """``counts * price``, each rounded ``"up"`` or ``"down"`` where it is not a float.

    Exact products are returned as they are: the result is the least float
    at or above (``"up"``) or the greatest at or below (``"down"``) the
    exact product, which is within one unit in the last place of it.

    Parameters
    ----------
    counts : ndarray of int64
        Permits, >= 0.
    price : float
        Finite, >= 0.
    direction : {"up", "down"}

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> counts = np.array([0, 1, 2, 3])
    >>> rounded_products(counts, 0.1, direction="up").tolist()
    [0.0, 0.1, 0.2, 0.30000000000000004]
    >>> rounded_products(counts, 0.1, direction="down").tolist()
    [0.0, 0.1, 0.2, 0.3]

    A count of 2**53 + 1 is itself no float; its value at 1.0 neither:

    >>> big = np.array([2**53 + 1])
    >>> [int(rounded_products(big, 1.0, direction=d)[0]) - 2**53 for d in ("up", "down")]
    [2, 0]
    """
    products, error = _nearest_products(counts, price)
    # The products are >= 0, so the next float up (down) is the next (previous) bit pattern.
    bits = products.view(np.int64)
    if direction == "up":
        bits += error > 0
    else:
        bits -= error < 0
    return products


def double_auction(
    bids: Bids,
    asks: Offers,
    *,
    rule: Literal["uniform", "trade_reduction"] = "uniform",
    price_rule: Literal["midpoint", "k_double", "last_accepted", "first_rejected"] = "midpoint",
    k: float | numbers.Real = 0.5,
    tie_break: TieBreak = "pro_rata",
    lot_size: int = 1,
    rng: SeedLike = None,
) -> AuctionResult:
    """Clear a call market of buyers' bids and sellers' asks.

    Parameters
    ----------
    bids : Bids
        Buyers: price per permit and permits wanted.
    asks : Offers
        Sellers: price per permit and permits offered, labelled by ``seller``.
    rule : {"uniform", "trade_reduction"}
        One price for all, or McAfee's trade reduction (see the module notes).
    price_rule : {"midpoint", "k_double", "last_accepted", "first_rejected"}
        For ``rule="uniform"``: where in the market-clearing range to price.
    k : float, default 0.5
        The weight of ``"k_double"``, in [0, 1]: 0 is the lowest clearing
        price (best for buyers), 1 the highest. Any real number (a numpy
        scalar, a :class:`~fractions.Fraction`) is accepted and converted to
        float; bools and non-numbers are refused.
    tie_break : {"pro_rata", "random", "time"}
        How bids (and asks) at the marginal price share what trades.
    lot_size : int, default 1
        Permits per lot.
    rng : int, Generator or SeedSequence, optional
        Seed of the random tie orders.

    Returns
    -------
    AuctionResult
        ``awarded``/``payments`` per bid, ``offer_sold``/``receipts`` per ask.
        ``clearing_price`` is the buyers' price. A payment is ``awarded``
        times the buyers' price rounded up, a receipt ``offer_sold`` times
        the sellers' price rounded down, where the product is not a float
        (see the module notes): no buyer pays less, and no seller receives
        more, than the exact value. ``surplus`` is what buyers pay less what
        sellers receive, exactly summed: never negative; under
        ``rule="uniform"`` at most ``2**-52 * (revenue + sum(receipts))``
        (for normal floats), the two sides' totals being equal up to this
        directed rounding.

    Raises
    ------
    TypeError
        If ``bids`` or ``asks`` is not a table, or ``k`` is a bool or not a
        real number.
    ValueError
        For an unknown rule, ``k`` outside [0, 1] or NaN, or ``lot_size < 1``.

    Examples
    --------
    Three buyers (10, 8, 5) and three sellers (3, 6, 9), one permit each. Two
    units can trade; the clearing range is [6, 8]:

    >>> bids = Bids(bidder=["b1", "b2", "b3"], price=[10.0, 8.0, 5.0], quantity=[1, 1, 1])
    >>> asks = Offers(price=[3.0, 6.0, 9.0], quantity=[1, 1, 1], seller=["s1", "s2", "s3"])
    >>> r = double_auction(bids, asks)
    >>> r.clearing_price, r.sold, r.surplus
    (7.0, 2, 0.0)

    McAfee: the first excluded pair is (5, 9), ``p0 = 7``, which lies in
    [6, 8], so both units trade at 7. With the third buyer at 7.5 instead,
    ``p0 = 8.25`` is above the second bid 8: one unit trades, the buyer pays
    8, the seller receives 6:

    >>> r = double_auction(bids, asks, rule="trade_reduction")
    >>> r.sold, r.clearing_price
    (2, 7.0)
    >>> bids = Bids(bidder=["b1", "b2", "b3"], price=[10.0, 8.0, 7.5], quantity=[1, 1, 1])
    >>> r = double_auction(bids, asks, rule="trade_reduction")
    >>> r.sold, r.payments.tolist(), r.receipts.tolist(), r.surplus
    (1, [8.0, 0.0, 0.0], [6.0, 0.0, 0.0], 2.0)

    At a price of 0.1, ``3 * 0.1`` is not a float: the seller of three
    permits receives the float below it, and the market keeps the crumb
    (rounded to nearest, 0.30000000000000004, the market would pay out
    more than the buyers' 0.2 + 0.1):

    >>> bids = Bids(bidder=["b1", "b2"], price=[0.1, 0.1], quantity=[2, 1])
    >>> asks = Offers(price=[0.1], quantity=[3], seller=["s1"])
    >>> r = double_auction(bids, asks)
    >>> r.payments.tolist(), r.receipts.tolist(), r.surplus
    ([0.2, 0.1], [0.3], 2.7755575615628914e-17)
    """
    if not isinstance(bids, Bids):
        raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
    if not isinstance(asks, Offers):
        raise TypeError(f"asks must be an Offers curve (got {type(asks).__name__})")
    check_choice("rule", rule, DOUBLE_RULES)
    check_choice("price_rule", price_rule, DOUBLE_PRICE_RULES)
    check_choice("tie_break", tie_break, TIE_BREAKS)
    weight = _check_k(k)
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1, int64=True)
    engine_rule: PriceRule = "first_rejected" if price_rule == "first_rejected" else \
        "last_accepted"
    generator = np.random.default_rng(rng)
    cleared = clear(bids, asks, price_rule=engine_rule,
                    tie_break=tie_break, lot_size=lot, rng=generator, side="both")
    if cleared.margins is None:
        return _result(bids, asks, cleared, math.nan, math.nan, rule, price_rule, tie_break, lot)
    if rule == "uniform":
        price = _uniform_price(cleared, price_rule, weight)
        return _result(bids, asks, cleared, price, price, rule, price_rule, tie_break, lot)
    m = cleared.margins
    p0 = mcafee_price(m)
    if p0 is not None:
        return _result(bids, asks, cleared, p0, p0, rule, "trade_reduction", tie_break, lot)
    reduced = clear(bids, asks, tie_break=tie_break, lot_size=lot, rng=generator, side="both",
                    max_traded=int(cleared.awarded.sum()) - lot)
    return _result(bids, asks, reduced, m.lowest_accepted_bid, m.highest_accepted_offer, rule,
                   "trade_reduction", tie_break, lot)


def _result(
    bids: Bids, asks: Offers, cleared: Clearing, buyer_price: float, seller_price: float,
    rule: str, price_rule: str, tie_break: str, lot: int,
) -> AuctionResult:
    traded = bool(cleared.awarded.any())
    return AuctionResult(
        format=f"double_auction:{rule}",
        bids=bids,
        offers=asks,
        clearing_price=buyer_price if traded else math.nan,
        awarded=cleared.awarded,
        payments=rounded_products(cleared.awarded, buyer_price if traded else 0.0,
                                  direction="up"),
        offer_sold=cleared.offer_sold,
        status=cleared.status,
        price_rule=price_rule,
        tie_break=tie_break,
        lot_size=lot,
        receipts=rounded_products(cleared.offer_sold, seller_price if traded else 0.0,
                                  direction="down"),
    )
