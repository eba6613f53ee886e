"""Hubei: reserved allowances sold at a fixed price to covered enterprises.

The Hubei pilot emissions trading scheme keeps part of each year's total as
a government reserve (预留配额) and sells some of it. The rules, with what
could be found of their sources:

- **A fixed price.** On the scheme's opening, 2 April 2014, the government
  had sold "about 2 million tonnes" of reserve allowances "at a price of 20
  yuan per tonne" (Xinhua, reporting the China Hubei Emission Exchange).
  Before the sale the exchange spoke of auctioning one to two million
  permits "at a government-set minimum price" (South China Morning Post,
  January 2014). Whether every unit sold at 20 yuan by rule (a fixed-price
  sale) or 20 was a floor that bids met, the notice of the sale itself was
  not read here; the preset follows the issue's description, a fixed-price
  sale, with the price and quantity as parameters.
- **Buyers.** Covered enterprises (the generally described practice,
  :func:`allocation.reserve.fixed_price_sale`); not confirmed in a notice.
- **Rationing** of an oversubscribed sale: pro rata by default (not
  confirmed).
- **The reserve.** Hubei's 2014 allocation plan kept allowances in reserve
  besides the free allocation (Reuters, 27 March 2014, from the plan: 324
  million in all, 292.2 million free); the sale is booked on a
  :class:`allocation.Reserve`, whose ledger keeps the account
  (:func:`reserve_sale`).

References
----------
Xinhua, "China launches carbon trading in Hubei", 2 April 2014 (China Daily).
South China Morning Post, "Hubei plans province's first carbon auction next
month", January 2014. Reuters, "China's Hubei issues 324 mln carbon permits
for 2014", 27 March 2014.

Examples
--------
>>> from auctions import Bids
>>> bids = Bids(bidder=["steel", "cement"], price=[20.0, 20.0],
...             quantity=[1_500_000, 1_000_000])
>>> r = sale(bids, covered={"steel", "cement"})
>>> r.awarded.tolist(), r.revenue
([1200000, 800000], 40000000.0)
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass

from allocation.reserve import Record, Reserve, fixed_price_sale
from auctions import AuctionResult, Bids
from auctions.clearing import SeedLike, TieBreak

__all__ = ["PARAMETERS", "HubeiParameters", "reserve_sale", "sale"]


@dataclass(frozen=True, kw_only=True)
class HubeiParameters:
    """The fixed-price sale's terms.

    Attributes
    ----------
    price : float
        Yuan per tonne (20 in 2014).
    quantity : int
        Tonnes offered (2 million in 2014).
    tie_break : {"pro_rata", "random", "time"}
        How an oversubscribed sale is rationed (not confirmed).
    """

    price: float = 20.0
    quantity: int = 2_000_000
    tie_break: TieBreak = "pro_rata"


#: The 2014 sale as reported.
PARAMETERS = HubeiParameters()


def sale(
    bids: Bids,
    *,
    covered: Collection[Hashable] | None,
    params: HubeiParameters = PARAMETERS,
    rng: SeedLike = None,
) -> AuctionResult:
    """Sell the reserved allowances at the fixed price to the covered enterprises that ask.

    Parameters
    ----------
    bids : Bids
        Requests: a bid at or above the price asks for its quantity.
    covered : collection of labels or None
        The covered enterprises; a request from anyone else is an error.
        None lets anyone buy.
    params : HubeiParameters, default PARAMETERS
    rng : int, Generator or SeedSequence, optional

    Returns
    -------
    AuctionResult
    """
    return fixed_price_sale(bids, params.quantity, price=params.price, eligible=covered,
                            tie_break=params.tie_break, rng=rng)


def reserve_sale(
    reserve: Reserve,
    bids: Bids,
    *,
    covered: Collection[Hashable] | None,
    params: HubeiParameters = PARAMETERS,
    rng: SeedLike = None,
    note: str = "Hubei reserve allowances at a fixed price",
) -> Record:
    """:func:`sale` booked on the government ``reserve`` (which must hold the quantity).

    Examples
    --------
    >>> from auctions import Bids
    >>> from allocation import Reserve
    >>> reserve = Reserve(permits=26_000_000)
    >>> bids = Bids(bidder=["steel"], price=[20.0], quantity=[500_000])
    >>> reserve_sale(reserve, bids, covered={"steel"}).cash
    Decimal('10000000.00')
    >>> reserve.permits
    25500000
    """
    return reserve.book_sale(sale(bids, covered=covered, params=params, rng=rng), note=note)
