"""UK ETS auctions: the EU format with a reserve price and partial sales.

The UK Emissions Trading Scheme auctions follow the EU ETS format
(:mod:`auctions.rules.eu_ets`) and differ where bids fall short. The rules,
with their provisions in the Greenhouse Gas Emissions Trading Scheme
Auctioning Regulations 2021 (SI 2021/484) as amended by SI 2021/513:

- **Format** (reg. 4(3)-(4)): one bidding window, sealed bids, every
  successful bidder pays the same clearing price.
- **Lots and prices** (reg. 5(1)-(2)): the minimum bid is one lot of 500
  allowances; volumes in whole lots, prices in pounds sterling to two
  decimals.
- **Ties** (reg. 6(3), 6(7)): bids at the same price are sorted by a random
  selection; the last bid making up the sum receives the remaining volume:
  ``tie_break="random"``.
- **Auction reserve price** (reg. 6(4)-(5)): no bid below it is accepted and
  bids below it are ignored when volumes are added up. Its value is defined
  in reg. 6(9); the figure of 22 pounds is taken from ICAP's report of the
  first auction (19 May 2021) and the Government's announcement of February
  2021, since the text of reg. 6(9) itself was not read here.
- **Clearing price** (reg. 7(1)(a)): the price of the bid at which the sum
  of the volumes bid matches or exceeds the volume auctioned.
- **Partial sale** (reg. 7(1)(b)): when the volumes bid fall short, the
  clearing price is "the price of the lowest bid" and every valid bid is
  filled: ``on_undersubscribed="sell"`` (the EU cancels instead).
- **Secondary market** (reg. 7(1)(c), 7(1A), 7(2)): where the clearing
  price would be significantly below the prevailing secondary-market price,
  it is "the price of the lowest bid that is not significantly below" that
  price, and if every bid is significantly below, no clearing price is
  determined. The platform's methodology decides what "significantly below"
  means; here it is an input, ``significantly_below``: a bid priced under it
  is significantly below the secondary market. The effect is exactly that of
  raising the reserve price to that level for this auction: only the bids at
  or above it can win, and when they fall short they are all filled at the
  lowest of them.
- **Unsold allowances** (reg. 6(8)): added to the next four auctions, a
  quarter each; no auction may exceed 125 % of the volume first proposed for
  it; the excess goes to the others of the four that have room, and when none
  has, to the market stability mechanism account (:data:`UNSOLD_VOLUME`).

References
----------
The Greenhouse Gas Emissions Trading Scheme Auctioning Regulations 2021
(SI 2021/484), regulations 4-7 (as made, and regulation 7 as amended by
SI 2021/513), read at legislation.gov.uk. International Carbon Action
Partnership, "UK ETS holds first auction" (May 2021): the transitional
auction reserve price of GBP 22 and the carry-over of unsold allowances.

Examples
--------
Bids for 1,500 of 2,000 allowances: all filled at the lowest bid, 500 unsold:

>>> from auctions import Bids
>>> bids = Bids(bidder=["a", "b"], price=[45.00, 41.50], quantity=[1000, 500])
>>> r = auction(bids, 2000)
>>> r.clearing_price, r.sold, r.unsold, r.status
(41.5, 1500, 500, 'undersubscribed')
"""

from __future__ import annotations

from collections.abc import Sequence

from auctions._validate import check_price
from auctions.bids import Bids, Offers
from auctions.clearing import SeedLike
from auctions.result import AuctionResult
from auctions.rules.base import AuctionRules
from auctions.rules.calendar import Carryover, CarryoverRule

__all__ = ["AUCTION_RESERVE_PRICE", "RULES", "UNSOLD_VOLUME", "auction", "carry_over_unsold"]

#: The auction reserve price in pounds (reg. 6(9); 22 pounds since 2021, see the notes).
AUCTION_RESERVE_PRICE = 22.0

#: The UK ETS auction format (SI 2021/484, regulations 4-7).
RULES = AuctionRules(
    name="UK ETS",
    price_rule="last_accepted",
    tie_break="random",
    lot_size=500,
    reserve_price=AUCTION_RESERVE_PRICE,
    on_undersubscribed="sell",
    price_decimals=2,
    sources=(
        "SI 2021/484, reg. 5: lots of 500, prices in pounds to 2 decimals",
        "SI 2021/484, reg. 6: random order of tied bids, auction reserve price",
        "SI 2021/484, reg. 7 (as amended by SI 2021/513): clearing price, partial sale",
    ),
)

#: Unsold allowances: a quarter to each of the next four auctions, at most 125 % (reg. 6(8)).
UNSOLD_VOLUME = CarryoverRule(
    over=4, cap=1.25, overflow_to="market stability mechanism account"
)


def auction(
    bids: Bids,
    supply: int | Offers,
    *,
    significantly_below: float | None = None,
    rules: AuctionRules = RULES,
    rng: SeedLike = None,
) -> AuctionResult:
    """One UK ETS auction.

    Parameters
    ----------
    bids : Bids
        Bids in whole lots of 500 and whole pence.
    supply : int
        Allowances auctioned, whole lots.
    significantly_below : float, optional
        The price under which a bid is significantly below the prevailing
        secondary-market price (reg. 7(2); from the platform's methodology).
    rules : AuctionRules, default RULES
        The format, with the auction reserve price.
    rng : int, Generator or SeedSequence, optional
        Seed of the random order of tied bids.

    Returns
    -------
    AuctionResult
        Unsold allowances are ``result.unsold``; carry them with
        :func:`carry_over_unsold`.

    References
    ----------
    SI 2021/484, regulations 6 and 7 (as amended by SI 2021/513).

    Examples
    --------
    The clearing price would be 30.00 but the secondary market stands near
    40: only the bids from 38.00 win, at the lowest of them:

    >>> from auctions import Bids
    >>> bids = Bids(bidder=["a", "b", "c"], price=[41.00, 39.00, 30.00],
    ...             quantity=[500, 500, 1000])
    >>> r = auction(bids, 1500, significantly_below=38.00)
    >>> r.clearing_price, r.awarded.tolist(), r.unsold
    (39.0, [500, 500, 0], 500)
    """
    if significantly_below is None:
        return rules.clear(bids, supply, rng=rng)
    floor = check_price("significantly_below", significantly_below)
    assert floor is not None
    return rules.clear(bids, supply, rng=rng, reserve_price=max(rules.reserve_price, floor))


def carry_over_unsold(
    unsold: int, planned: Sequence[int], *, rule: CarryoverRule = UNSOLD_VOLUME,
    lot_size: int = RULES.lot_size,
) -> Carryover:
    """Add unsold allowances to the next four auctions, at most 125 % each (reg. 6(8)).

    Returns
    -------
    Carryover
        ``overflow`` goes to the market stability mechanism account.

    Examples
    --------
    >>> carry_over_unsold(1_000_000, [2_000_000, 800_000, 2_000_000, 2_000_000]).added
    (300000, 200000, 250000, 250000)
    """
    return rule.apply(unsold, planned, lot_size=lot_size)
