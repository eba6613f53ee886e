"""The outcome of an auction: a frozen record with read-only arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from auctions._exact import array_fsum, group_sum
from auctions.bids import Bids, Offers

__all__ = ["AuctionResult", "BidderTotal"]


class BidderTotal(NamedTuple):
    """One bidder's permits won and money paid."""

    awarded: int
    payment: float


@dataclass(frozen=True, kw_only=True, eq=False)
class AuctionResult:
    """What an auction decided.

    Attributes
    ----------
    format : str
        The registry name of the format that produced it.
    bids : Bids
        The bids as submitted.
    offers : Offers
        The supply curve that was cleared (prices at or above the reserve).
    clearing_price : float
        The stop-out price given by the price rule, in every format (in
        pay-as-bid it is reported, not paid); nan only when nothing is sold.
    awarded : ndarray of int64
        Permits awarded to each bid.
    payments : ndarray of float64
        Money paid for each bid.
    offer_sold : ndarray of int64
        Permits sold from each offer step.
    status : str
        ``"cleared"``, ``"undersubscribed"`` (valid bids asked for less than
        the supply and were all filled), ``"cancelled"`` or
        ``"no_valid_bids"``.
    price_rule, tie_break : str
        The rules used.
    lot_size : int
        Permits per lot.
    receipts : ndarray of float64 or None
        Money received by each offer step, where the sellers are paid
        separately (a repurchase or a call market); ``None`` for a sale by
        one auctioneer, whose receipts are the revenue.

    Examples
    --------
    >>> from auctions import Bids, uniform_price
    >>> r = uniform_price(Bids(bidder=["a", "b", "a"], price=[9.0, 7.0, 5.0],
    ...                        quantity=[4, 4, 4]), 6)
    >>> r.clearing_price, r.sold, r.unsold, r.revenue
    (7.0, 6, 0, 42.0)
    >>> r.by_bidder()
    {'a': BidderTotal(awarded=4, payment=28.0), 'b': BidderTotal(awarded=2, payment=14.0)}
    """

    format: str
    bids: Bids
    offers: Offers
    clearing_price: float
    awarded: NDArray[np.int64]
    payments: NDArray[np.float64]
    offer_sold: NDArray[np.int64]
    status: str
    price_rule: str
    tie_break: str
    lot_size: int
    receipts: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        for name in ("awarded", "payments", "offer_sold", "receipts"):
            if getattr(self, name) is None:
                continue
            given = getattr(self, name)
            if isinstance(given, np.ndarray) and given.base is None and not given.flags.writeable:
                continue  # read-only and owning its memory: no one else can change it
            arr = np.array(given, copy=True)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    @property
    def supply(self) -> int:
        """Permits offered."""
        return self.offers.total

    @property
    def sold(self) -> int:
        """Permits awarded in all."""
        return int(self.awarded.sum())

    @property
    def unsold(self) -> int:
        """Permits offered and not awarded (``supply - sold``)."""
        return self.supply - self.sold

    @cached_property
    def revenue(self) -> float:
        """The auctioneer's revenue: the exact sum of the payments (``math.fsum``)."""
        return array_fsum(self.payments)

    @property
    def surplus(self) -> float:
        """What buyers pay less what sellers receive, where sellers are paid separately.

        Never negative in a double auction: at most ``2**-52`` times the money
        exchanged in a uniform-price call market (payments are rounded up and
        receipts down where a product is not a float), positive under McAfee's
        trade reduction; for a sale by one auctioneer (no ``receipts``), the
        revenue.
        """
        if self.receipts is None:
            return self.revenue
        return math.fsum([*self.payments.tolist(), *(-self.receipts).tolist()])

    def by_bidder(self) -> dict[Any, BidderTotal]:
        """Permits won and money paid, summed by bidder, in order of first appearance."""
        codes = self.bids.bidder_codes
        n = len(self.bids.bidders)
        won = group_sum(codes, self.awarded, n)
        paid = np.bincount(codes, weights=self.payments, minlength=n)
        return {
            label: BidderTotal(int(w), float(p))
            for label, w, p in zip(self.bids.bidders.tolist(), won, paid, strict=True)
            if w > 0 or p > 0
        }

    def to_frame(self) -> Any:
        """One row per bid as a :class:`pandas.DataFrame` (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install 'permits[pandas]'") from err
        return pd.DataFrame(
            {
                "bidder": self.bids.bidder,
                "price": self.bids.price,
                "quantity": self.bids.quantity,
                "awarded": self.awarded,
                "payment": self.payments,
            }
        )

    def __repr__(self) -> str:
        return (
            f"AuctionResult(format={self.format!r}, status={self.status!r}, "
            f"clearing_price={self.clearing_price!r}, sold={self.sold}, unsold={self.unsold}, "
            f"revenue={self.revenue!r})"
        )
