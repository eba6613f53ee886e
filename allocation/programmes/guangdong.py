"""Guangdong: auctions from the market adjustment reserve, unsold allowances kept in it.

Guangdong's paid allowances are auctioned under the rules of
:mod:`auctions.rules.guangdong` (price then time priority, the lowest winning
bid as the uniform price, every bid filled at the lowest bid when
undersubscribed, a per-bidder cap of half the volume, a reserve price).
Allowances not sold stay with the government: in Guangdong's scheme they
return to the provincial market adjustment reserve (市场调节储备). That last
rule is as the practice is generally described; the notices read (2014,
2015, 2016) do not state it, so it is not confirmed.

:func:`reserve_auction` runs the auction and books it on a
:class:`allocation.Reserve`: the permits sold leave the reserve, the unsold
ones never leave it, and the cash is booked to the cent.

References
----------
See :mod:`auctions.rules.guangdong` for the notices of the Guangzhou
Emissions Exchange.

Examples
--------
An undersubscribed auction of 2,000,000 tonnes at a floor of 25 yuan: the
500,000 bid for are sold at the lowest bid, the rest stays in the reserve:

>>> from auctions import Bids
>>> from allocation import Reserve
>>> reserve = Reserve(permits=5_000_000)
>>> bids = Bids(bidder=["a", "b"], price=[27.0, 25.5], quantity=[300_000, 200_000])
>>> record = reserve_auction(reserve, bids, 2_000_000, reserve_price=25.0)
>>> record.price, -record.permits, reserve.permits
(25.5, 500000, 4500000)
"""

from __future__ import annotations

from allocation.reserve import Record, Reserve
from auctions import Bids, Offers
from auctions.clearing import SeedLike
from auctions.rules import AuctionRules
from auctions.rules.guangdong import RULES, auction, policy_reserve_price

__all__ = ["RULES", "auction", "policy_reserve_price", "reserve_auction"]


def reserve_auction(
    reserve: Reserve,
    bids: Bids,
    supply: int | Offers,
    *,
    reserve_price: float,
    rules: AuctionRules = RULES,
    rng: SeedLike = None,
    note: str = "Guangdong auction from the market adjustment reserve",
) -> Record:
    """Auction ``supply`` from ``reserve`` under Guangdong's rules; unsold stays in it.

    Parameters
    ----------
    reserve : Reserve
        The market adjustment reserve; must hold ``supply``.
    bids, supply, reserve_price, rules, rng
        As for :func:`auctions.rules.guangdong.auction`.
    note : str, optional

    Returns
    -------
    Record
        The ledger entry (``record.result`` is the auction).
    """
    result = auction(bids, supply, reserve_price=reserve_price, rules=rules, rng=rng)
    return reserve.book_sale(result, note=note)
