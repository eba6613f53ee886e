"""Public checkers of the invariants every auction must keep.

Each takes an :class:`~auctions.result.AuctionResult` and returns ``True`` or
``False``; the property-based tests run every registered format through each.
"""

from __future__ import annotations

import math

import numpy as np

from auctions.result import AuctionResult

__all__ = ["conserves_permits", "is_budget_balanced", "is_individually_rational"]

#: Relative slack allowed for floating-point sums of money.
MONEY_RTOL = 1e-9


def conserves_permits(result: AuctionResult) -> bool:
    """Permits are whole, never created and never lost.

    Awards are non-negative whole lots no larger than the bids; permits sold
    from the offer steps equal permits awarded; awarded + unsold == supply.

    Examples
    --------
    >>> from auctions import Bids, uniform_price
    >>> conserves_permits(uniform_price(Bids(bidder=[1, 2], price=[3.0, 2.0],
    ...                                      quantity=[5, 5]), 7))
    True
    """
    a, s = result.awarded, result.offer_sold
    lot = result.lot_size
    return bool(
        a.dtype == np.int64
        and s.dtype == np.int64
        and (a >= 0).all()
        and (a <= result.bids.quantity).all()
        and (a % lot == 0).all()
        and (s >= 0).all()
        and (s <= result.offers.quantity).all()
        and int(a.sum()) == int(s.sum())
        and int(a.sum()) + result.unsold == result.supply
        and result.unsold >= 0
    )


def is_budget_balanced(result: AuctionResult) -> bool:
    """Money balances: the revenue is the sum of the payments.

    Also: payments are finite and non-negative, nobody who won nothing pays,
    and the revenue covers the offer price of every permit sold (no permit
    sells below its reserve or trigger). Where sellers are paid separately
    (``receipts``: a repurchase, a call market), no seller is paid less than
    its ask for what it sold, nobody is paid for what it did not sell, and
    the sellers together receive no more than the buyers pay (no deficit).
    """
    p = result.payments
    if not (np.isfinite(p).all() and (p >= 0).all() and (p[result.awarded == 0] == 0).all()):
        return False
    total = math.fsum(p.tolist())
    asks = result.offer_sold * result.offers.price
    if result.receipts is not None:
        r = result.receipts
        if not (
            np.isfinite(r).all()
            and (r >= asks * (1 - MONEY_RTOL) - MONEY_RTOL).all()
            and (r[result.offer_sold == 0] == 0).all()
            and math.fsum(r.tolist()) <= total * (1 + MONEY_RTOL) + MONEY_RTOL
        ):
            return False
    floor = math.fsum(asks.tolist())
    return result.revenue == total and total >= floor * (1 - MONEY_RTOL) - MONEY_RTOL


def is_individually_rational(result: AuctionResult) -> bool:
    """No winner pays more than its bid for any permit.

    Checked per bid: the payment for a bid is at most the permits it won
    times its price (within a relative :data:`MONEY_RTOL`).
    """
    bound = result.awarded * result.bids.price
    return bool((result.payments <= bound * (1 + MONEY_RTOL) + MONEY_RTOL).all())
