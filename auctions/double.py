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
  ask) are available too. Buyers pay what sellers receive: no surplus.
- ``"trade_reduction"``: McAfee's dominant-strategy double auction. With
  ``m`` units that could trade, let ``p0`` be the midpoint of the first
  excluded bid and ask. If ``p0`` lies between the ``m``-th ask and the
  ``m``-th bid, all ``m`` units trade at ``p0``. Otherwise only ``m - 1``
  trade: buyers pay the ``m``-th bid, sellers receive the ``m``-th ask, and
  the difference is the market maker's surplus. With one unit per trader,
  truthful bidding is a dominant strategy and the market never runs a
  deficit. Where no excluded bid or ask exists, the reduction applies.

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
from typing import Final, Literal

import numpy as np

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

__all__ = ["DOUBLE_PRICE_RULES", "DOUBLE_RULES", "double_auction", "market_clearing_range"]

DOUBLE_RULES: Final = ("uniform", "trade_reduction")
DOUBLE_PRICE_RULES: Final = ("midpoint", "k_double", "last_accepted", "first_rejected")


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


def double_auction(
    bids: Bids,
    asks: Offers,
    *,
    rule: Literal["uniform", "trade_reduction"] = "uniform",
    price_rule: Literal["midpoint", "k_double", "last_accepted", "first_rejected"] = "midpoint",
    k: float = 0.5,
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
        price (best for buyers), 1 the highest.
    tie_break : {"pro_rata", "random", "time"}
        How bids (and asks) at the marginal price share what trades.
    lot_size : int, default 1
        Permits per lot.
    rng : int, Generator or SeedSequence, optional
        Seed of the random tie orders.

    Returns
    -------
    AuctionResult
        ``awarded``/``payments`` per bid, ``offer_sold``/``receipts`` per ask;
        ``surplus`` is what buyers pay less what sellers receive (never
        negative). ``clearing_price`` is the buyers' price.

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
    """
    if not isinstance(bids, Bids):
        raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
    if not isinstance(asks, Offers):
        raise TypeError(f"asks must be an Offers curve (got {type(asks).__name__})")
    check_choice("rule", rule, DOUBLE_RULES)
    check_choice("price_rule", price_rule, DOUBLE_PRICE_RULES)
    check_choice("tie_break", tie_break, TIE_BREAKS)
    if isinstance(k, bool) or not isinstance(k, int | float) or not 0.0 <= k <= 1.0:
        raise ValueError(f"k must be a number in [0, 1] (got {k!r})")
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1)
    engine_rule: PriceRule = "first_rejected" if price_rule == "first_rejected" else \
        "last_accepted"
    generator = np.random.default_rng(rng)
    cleared = clear(bids, asks, price_rule=engine_rule,
                    tie_break=tie_break, lot_size=lot, rng=generator, side="both")
    if cleared.margins is None:
        return _result(bids, asks, cleared, math.nan, math.nan, rule, price_rule, tie_break, lot)
    if rule == "uniform":
        price = _uniform_price(cleared, price_rule, k)
        return _result(bids, asks, cleared, price, price, rule, price_rule, tie_break, lot)
    m = cleared.margins
    p0 = (m.highest_rejected_bid + m.lowest_rejected_offer) / 2
    if not math.isfinite(p0):  # the sum overflowed; the halves do not
        p0 = m.highest_rejected_bid / 2 + m.lowest_rejected_offer / 2
    if m.highest_accepted_offer <= p0 <= m.lowest_accepted_bid:
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
        payments=cleared.awarded * np.float64(buyer_price if traded else 0.0),
        offer_sold=cleared.offer_sold,
        status=cleared.status,
        price_rule=price_rule,
        tie_break=tie_break,
        lot_size=lot,
        receipts=cleared.offer_sold * np.float64(seller_price if traded else 0.0),
    )
