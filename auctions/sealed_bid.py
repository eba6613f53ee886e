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

import itertools
from collections.abc import Callable
from typing import Unpack

import numpy as np
from numpy.typing import NDArray

from auctions._exact import group_sum
from auctions.bids import Bids, Offers
from auctions.clearing import Clearing, ClearingOptions, _argsort, clear
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
    won = group_sum(codes, clearing.awarded // lot, n)
    pool = _Pool.of(bids, clearing, lot)
    depth = pool.depth(won, n)
    through, own = pool.value_through(depth), pool.own_value(depth, n)
    paid = through - own
    # Where the bidder's own units make up nearly all of the value down to its
    # depth, the difference has lost its digits: take those bidders exactly.
    cancelled = np.flatnonzero(through > _CANCELLING * paid)
    if cancelled.size:
        paid[cancelled] = pool.exact_payments(cancelled, depth)
    paid *= lot
    return paid


#: A payment read as a difference of sums more than this many times larger
#: than itself (ten bits cancelled) is computed again exactly.
_CANCELLING = 1024.0


class _Pool:
    """The units a Vickrey winner may displace, highest price first: their price,
    lots and owner (the bidder code, or -1 for unsold supply)."""

    def __init__(self, price: NDArray[np.float64], qty: NDArray[np.int64],
                 owner: NDArray[np.int64]) -> None:
        self.price, self.qty, self.owner = price, qty, owner
        self.cum = np.cumsum(qty)
        self.value = np.cumsum(price * qty)
        own = owner >= 0
        self.own_owner, self.own_start = owner[own], (self.cum - qty)[own]
        self.own_qty, self.own_price = qty[own], price[own]

    @classmethod
    def of(cls, bids: Bids, clearing: Clearing, lot: int) -> _Pool:
        rejected = (clearing.eligible - clearing.awarded) // lot
        has_rejected = rejected > 0
        has_sold = clearing.offer_sold > 0
        price = np.concatenate((bids.price[has_rejected], clearing.offers.price[has_sold]))
        qty = np.concatenate((rejected[has_rejected], clearing.offer_sold[has_sold] // lot))
        owner = np.concatenate((bids.bidder_codes[has_rejected],
                                np.full(int(has_sold.sum()), -1)))
        # Highest price first; the order among equal prices changes no payment.
        order, negated = _argsort(-price)
        return cls(-negated, qty[order], owner[order])

    def own_taken(self, depth: NDArray[np.int64]) -> NDArray[np.int64]:
        """Lots of each own step within its owner's ``depth``."""
        taken: NDArray[np.int64] = np.clip(depth[self.own_owner] - self.own_start, 0,
                                           self.own_qty)
        return taken

    def depth(self, won: NDArray[np.int64], n: int) -> NDArray[np.int64]:
        """How deep into the pool each bidder must go to find ``won`` units of others."""
        lo = won.copy()
        hi = won + group_sum(self.own_owner, self.own_qty, n)
        while (lo < hi).any():
            mid = (lo + hi) // 2
            enough = mid - group_sum(self.own_owner, self.own_taken(mid), n) >= won
            hi = np.where(enough, mid, hi)
            lo = np.where(enough, lo, mid + 1)
        return lo

    def step(self, depth: NDArray[np.int64]) -> NDArray[np.intp]:
        """The step where each depth ends."""
        found: NDArray[np.intp] = np.minimum(np.searchsorted(self.cum, depth, side="left"),
                                             max(self.cum.size - 1, 0))
        return found

    def value_through(self, depth: NDArray[np.int64]) -> NDArray[np.float64]:
        """The value of the first ``depth`` units, own units included."""
        if not self.cum.size:
            return np.zeros(depth.size)
        # The steps before ``step`` in full, then part of ``step`` (adding the
        # part rather than subtracting the rest, which would cancel digits).
        step = self.step(depth)
        before = np.maximum(step - 1, 0)
        value_before = np.where(step > 0, self.value[before], 0.0)
        cum_before = np.where(step > 0, self.cum[before], 0)
        through: NDArray[np.float64] = np.where(
            depth > 0, value_before + (depth - cum_before) * self.price[step], 0.0)
        return through

    def own_value(self, depth: NDArray[np.int64], n: int) -> NDArray[np.float64]:
        """The value of each bidder's own units within its depth."""
        own = np.bincount(self.own_owner, weights=self.own_taken(depth) * self.own_price,
                          minlength=n)
        return own.astype(np.float64, copy=False)

    def exact_payments(self, bidders: NDArray[np.intp],
                       depth: NDArray[np.int64]) -> NDArray[np.float64]:
        """The payments of ``bidders`` in exact integer arithmetic, correctly rounded.

        Every float is a whole number of units of ``1 / unit``, ``unit`` the
        largest power-of-two denominator among the prices; values are summed
        as Python integers in that unit and divided once at the end.
        """
        if not self.cum.size:
            return np.zeros(bidders.size)
        ratios = [p.as_integer_ratio() for p in self.price.tolist()]
        unit = max((den for _, den in ratios), default=1)
        whole = [num * (unit // den) for num, den in ratios]
        qty = self.qty.tolist()
        value = list(itertools.accumulate(w * q for w, q in zip(whole, qty, strict=True)))
        cum = [0, *self.cum.tolist()]
        value.insert(0, 0)
        steps = self.step(depth[bidders]).tolist()
        owned = np.flatnonzero(np.isin(self.owner, bidders))
        owned = owned[np.argsort(self.owner[owned], kind="stable")]
        bounds = np.searchsorted(self.owner[owned], [bidders, bidders + 1]).T.tolist()
        out = np.empty(bidders.size)
        for i, (b, step) in enumerate(zip(bidders.tolist(), steps, strict=True)):
            d = int(depth[b])
            total = value[step] + (d - cum[step]) * whole[step] if d else 0
            first, last = bounds[i]
            for k in owned[first:last].tolist():
                total -= min(max(d - cum[k], 0), qty[k]) * whole[k]
            out[i] = total / unit
        return out


def _vickrey_payments(bids: Bids, clearing: Clearing, lot: int) -> NDArray[np.float64]:
    if not clearing.awarded.any():
        return np.zeros(len(bids))
    per_bidder = _displaced_values(bids, clearing, lot)
    codes = bids.bidder_codes
    won = group_sum(codes, clearing.awarded, per_bidder.size)
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
