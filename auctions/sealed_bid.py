"""Sealed-bid formats: uniform-price, pay-as-bid and multi-unit Vickrey.

The three formats clear the same way (:func:`auctions.clearing.clear`) and
differ only in what a winner pays:

- uniform price: every permit sells at the clearing price;
- pay-as-bid (also called discriminatory): each winner pays its own bid for
  each permit it wins;
- Vickrey (the multi-unit generalised second price): each winner pays, for
  the permits it wins, the highest bids of others those permits displace, or
  the offer price of a permit that would otherwise go unsold.

References
----------
Vickrey, W. (1961). Counterspeculation, auctions, and competitive sealed
tenders. *Journal of Finance* 16(1), 8-37.
Ausubel, L. M., Cramton, P., Pycia, M., Rostek, M. and Weretka, M. (2014).
Demand reduction and inefficiency in multi-unit auctions. *Review of Economic
Studies* 81(4), 1366-1400.
Krishna, V. (2010). *Auction Theory*, 2nd ed., chapters 12-13.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Unpack

import numpy as np
from numpy.typing import NDArray

from auctions.bids import Bids, Offers
from auctions.clearing import Clearing, ClearingOptions, clear
from auctions.result import AuctionResult

__all__ = ["pay_as_bid", "uniform_price", "vickrey"]

PaymentRule = Callable[[Bids, Clearing, int], NDArray[np.float64]]


def _sealed_bid(
    name: str,
    payment_rule: PaymentRule,
    bids: Bids,
    supply: int | Offers,
    options: ClearingOptions,
) -> AuctionResult:
    clearing = clear(bids, supply, **options)
    lot = int(options.get("lot_size", 1))
    return AuctionResult(
        format=name,
        bids=bids,
        offers=clearing.offers,
        clearing_price=clearing.price,
        awarded=clearing.awarded,
        payments=payment_rule(bids, clearing, lot),
        offer_sold=clearing.offer_sold,
        status=clearing.status,
        price_rule=options.get("price_rule", "last_accepted"),
        tie_break=options.get("tie_break", "pro_rata"),
        lot_size=lot,
    )


def _uniform_payments(bids: Bids, clearing: Clearing, lot: int) -> NDArray[np.float64]:
    if clearing.awarded.any():
        return clearing.awarded * np.float64(clearing.price)
    return np.zeros(len(bids))


def _bid_payments(bids: Bids, clearing: Clearing, lot: int) -> NDArray[np.float64]:
    paid: NDArray[np.float64] = clearing.awarded * bids.price
    return paid


def _displaced_values(bids: Bids, clearing: Clearing, lot: int) -> NDArray[np.float64]:
    """Each bidder's Vickrey payment: the value of the units its wins displace.

    The pool a winner displaces is every unit that was not filled (others'
    rejected bids) plus every unit sold (valued at its offer price, the
    seller's reservation value). A bidder winning ``x`` lots pays for the
    ``x`` most valuable units of that pool that are not its own. Found for all
    bidders at once by bisection on how deep into the pool one must go.
    """
    codes = bids.bidder_codes
    n = len(bids.bidders)
    won = np.bincount(codes, weights=clearing.awarded // lot, minlength=n).astype(np.int64)
    rejected = (clearing.eligible - clearing.awarded) // lot
    has_rejected = rejected > 0
    has_sold = clearing.offer_sold > 0
    price = np.concatenate((bids.price[has_rejected], clearing.offers.price[has_sold]))
    qty = np.concatenate((rejected[has_rejected], clearing.offer_sold[has_sold] // lot))
    owner = np.concatenate((codes[has_rejected], np.full(int(has_sold.sum()), -1)))
    order = np.argsort(-price, kind="stable")
    price, qty, owner = price[order], qty[order], owner[order]
    cum = np.cumsum(qty)
    value = np.cumsum(price * qty)
    own = owner >= 0
    own_owner, own_start, own_qty, own_price = owner[own], (cum - qty)[own], qty[own], price[own]

    def own_taken(depth: NDArray[np.int64]) -> NDArray[np.int64]:
        taken: NDArray[np.int64] = np.clip(depth[own_owner] - own_start, 0, own_qty)
        return taken

    lo = won.copy()
    hi = won + np.bincount(own_owner, weights=own_qty, minlength=n).astype(np.int64)
    while (lo < hi).any():
        mid = (lo + hi) // 2
        count = np.bincount(own_owner, weights=own_taken(mid), minlength=n).astype(np.int64)
        enough = mid - count >= won
        hi = np.where(enough, mid, hi)
        lo = np.where(enough, lo, mid + 1)
    step = np.minimum(np.searchsorted(cum, lo, side="left"), max(cum.size - 1, 0))
    pool = np.zeros(n)
    if cum.size:
        # The steps before ``step`` in full, then part of ``step`` (adding the
        # part rather than subtracting the rest, which would cancel digits).
        before = np.maximum(step - 1, 0)
        value_before = np.where(step > 0, value[before], 0.0)
        cum_before = np.where(step > 0, cum[before], 0)
        pool = np.where(lo > 0, value_before + (lo - cum_before) * price[step], 0.0)
    own_value = np.bincount(own_owner, weights=own_taken(lo) * own_price, minlength=n)
    paid: NDArray[np.float64] = (pool - own_value) * lot
    return paid


def _vickrey_payments(bids: Bids, clearing: Clearing, lot: int) -> NDArray[np.float64]:
    if not clearing.awarded.any():
        return np.zeros(len(bids))
    per_bidder = _displaced_values(bids, clearing, lot)
    codes = bids.bidder_codes
    won = np.bincount(codes, weights=clearing.awarded, minlength=per_bidder.size)
    share = np.divide(clearing.awarded, won[codes], out=np.zeros(len(bids)), where=won[codes] > 0)
    return per_bidder[codes] * share


def uniform_price(
    bids: Bids, supply: int | Offers, **options: Unpack[ClearingOptions]
) -> AuctionResult:
    """Uniform-price sealed-bid auction: every permit sells at the clearing price.

    Parameters
    ----------
    bids : Bids
        The sealed bids.
    supply : int or Offers
        Permits for sale, or a supply curve (reserve and containment steps).
    **options
        ``reserve_price``, ``price_rule``, ``tie_break``, ``bidder_limit``,
        ``lot_size``, ``on_undersubscribed``, ``min_price``, ``rng``: see
        :func:`auctions.clearing.clear`.

    Returns
    -------
    AuctionResult

    References
    ----------
    Commission Regulation (EU) No 1031/2010, Article 7 (last accepted bid);
    RGGI Auction Notices (highest rejected bid). With unit demand the
    ``"first_rejected"`` rule is the (k+1)-th price auction, in which bidding
    one's value is a dominant strategy (Vickrey 1961).

    Examples
    --------
    Three bidders, ten permits, a reserve of 5:

    >>> bids = Bids(bidder=["a", "b", "c"], price=[12.0, 10.0, 8.0], quantity=[4, 4, 4])
    >>> r = uniform_price(bids, 10, reserve_price=5.0)
    >>> r.clearing_price, r.awarded.tolist(), r.revenue
    (8.0, [4, 4, 2], 80.0)
    >>> uniform_price(bids, 10, reserve_price=5.0, price_rule="first_rejected").clearing_price
    8.0
    >>> uniform_price(bids, 20, reserve_price=5.0, price_rule="first_rejected").clearing_price
    5.0
    """
    return _sealed_bid("uniform_price", _uniform_payments, bids, supply, options)


def pay_as_bid(
    bids: Bids, supply: int | Offers, **options: Unpack[ClearingOptions]
) -> AuctionResult:
    """Pay-as-bid (discriminatory) auction: each winner pays its own bid.

    Clears exactly as :func:`uniform_price`; the clearing price reported is
    the stop-out price under ``price_rule``, which no winner pays.

    Parameters
    ----------
    bids, supply, **options
        As for :func:`uniform_price`.

    Returns
    -------
    AuctionResult

    References
    ----------
    Krishna, V. (2010). *Auction Theory*, 2nd ed., chapter 12
    (discriminatory auctions).

    Examples
    --------
    >>> bids = Bids(bidder=["a", "b", "c"], price=[12.0, 10.0, 8.0], quantity=[4, 4, 4])
    >>> r = pay_as_bid(bids, 10)
    >>> r.payments.tolist(), r.revenue, r.clearing_price
    ([48.0, 40.0, 16.0], 104.0, 8.0)
    """
    return _sealed_bid("pay_as_bid", _bid_payments, bids, supply, options)


def vickrey(
    bids: Bids, supply: int | Offers, **options: Unpack[ClearingOptions]
) -> AuctionResult:
    """Multi-unit Vickrey auction: each winner pays the bids its permits displace.

    A bidder that wins ``x`` permits pays the sum of the ``x`` highest bids of
    other bidders that were rejected (the bids that would have won in its
    absence), each at least the offer price of the permit. This is the
    Vickrey-Clarke-Groves payment, so bidding one's true marginal values is a
    dominant strategy. A bidder's payment is reported per bid in proportion
    to the permits each bid won. The clearing price is reported under
    ``price_rule`` as in the other formats.

    Parameters
    ----------
    bids, supply, **options
        As for :func:`uniform_price`. Bids are grouped into bidders by label:
        a bidder never displaces itself.

    Returns
    -------
    AuctionResult

    References
    ----------
    Vickrey, W. (1961). Counterspeculation, auctions, and competitive sealed
    tenders. *Journal of Finance* 16(1), 8-37. Krishna, V. (2010). *Auction
    Theory*, 2nd ed., section 12.3.

    Examples
    --------
    Three permits. Bidder A bids 10 and 8, B bids 9 and 5, C bids 6. A wins
    two and displaces C's 6 and B's 5; B wins one and displaces C's 6:

    >>> bids = Bids(bidder=["A", "A", "B", "B", "C"], price=[10.0, 8.0, 9.0, 5.0, 6.0],
    ...             quantity=[1, 1, 1, 1, 1])
    >>> r = vickrey(bids, 3)
    >>> {k: v.payment for k, v in r.by_bidder().items()}
    {'A': 11.0, 'B': 6.0}
    """
    return _sealed_bid("vickrey", _vickrey_payments, bids, supply, options)
