"""EU ETS auctions: single-round, sealed-bid, uniform price, cancelled when short.

The rules, each with the provision it comes from (Commission Regulation (EU)
No 1031/2010 as consolidated; its 2023 recast, Delegated Regulation (EU)
2023/2830, is said below where it could be checked):

- **Lots and prices** (Art. 6(1)-(2)): the minimum bid is one lot; a lot
  auctioned on a common or opt-out platform is 500 allowances; bids state a
  volume in whole lots of 500 and a price in euro with two decimals.
- **Clearing price** (Art. 7(2)): bids are sorted by price, the volumes added
  from the highest price; "the price of the bid at which the sum of the
  volumes matches or exceeds the volume of allowances auctioned" is the
  clearing price: ``price_rule="last_accepted"``.
- **Payment** (Art. 7(3)): every bid making up that sum is allocated at the
  clearing price (uniform price).
- **Ties** (Art. 7(2) and 7(4)): bids at the same price are sorted "through
  a random selection according to an algorithm determined by the auction
  platform before the auction", and the bidder whose bid completes the sum
  receives the remaining volume: ``tie_break="random"`` (the marginal bid is
  partly filled).
- **Cancellation when bids fall short** (Art. 7(5)): when the total volume
  bid is below the volume auctioned, the auction is cancelled:
  ``on_undersubscribed="cancel"``.
- **Cancellation below the secondary market** (Art. 7(6)-(7)): the platform
  cancels an auction whose clearing price is "significantly under the price
  prevailing on the secondary market" during and immediately before the
  bidding window, taking short-term volatility into account, by a
  methodology it decides before the auction and does not publish. The
  threshold is therefore an input, ``min_price``: the price below which the
  clearing price counts as significantly under the secondary market.
- **Cancelled volume** (Art. 7(8), applied by Art. 9 to any cancellation):
  distributed over the next auctions of the same platform. That it is spread
  evenly over the *next four* auctions is taken from EEX's notices of
  cancelled auctions ("evenly distributed over the next four EU auctions");
  the text of Art. 7(8) itself was not read in this project's research, and
  how a remainder of lots is placed is our choice (see
  :mod:`auctions.rules.calendar`).

There is no reserve price. Delegated Regulation (EU) 2023/2830 replaced
Regulation 1031/2010 from 2024; its recitals (read) describe an update for
maritime transport and the new ETS for buildings and road transport, but its
articles on the clearing price, ties and cancellation could not be read here,
so the rules above are those of Regulation 1031/2010 and are assumed
unchanged by the recast (not confirmed). The Market Stability Reserve, which
changes the volumes auctioned, is in :mod:`allocation.programmes.eu_ets`.

References
----------
Commission Regulation (EU) No 1031/2010 of 12 November 2010, OJ L 302,
18.11.2010, p. 1, Articles 6, 7 and 9 (consolidated text, German version read
at gesetze.legal). Commission Delegated Regulation (EU) 2023/2830 of 17
October 2023, OJ L, 20.12.2023. European Energy Exchange, "Adjustment of the
Auction Calendar" (notice of a cancelled auction). Finnish Ministry of
Economic Affairs and Employment, *Auctioning of emission allowances*
(single-round sealed-bid format, clearing at the lowest successful bid).

Examples
--------
Two bidders for 1,000 allowances: the bid at 80.10 completes the volume and
sets the price:

>>> from auctions import Bids
>>> bids = Bids(bidder=["a", "b", "c"], price=[81.00, 80.10, 79.50],
...             quantity=[500, 1000, 500])
>>> r = auction(bids, 1000, rng=1)
>>> r.clearing_price, r.awarded.tolist()
(80.1, [500, 500, 0])
"""

from __future__ import annotations

from collections.abc import Sequence

from auctions.bids import Bids, Offers
from auctions.clearing import SeedLike
from auctions.result import AuctionResult
from auctions.rules.base import AuctionRules
from auctions.rules.calendar import Carryover, CarryoverRule

__all__ = ["CANCELLED_VOLUME", "RULES", "auction", "redistribute"]

#: The EU ETS auction format (Regulation (EU) No 1031/2010, Articles 6-7).
RULES = AuctionRules(
    name="EU ETS",
    price_rule="last_accepted",
    tie_break="random",
    lot_size=500,
    on_undersubscribed="cancel",
    price_decimals=2,
    sources=(
        "Regulation (EU) No 1031/2010, Art. 6(1)-(2): lots of 500, prices in euro to 2 decimals",
        "Regulation (EU) No 1031/2010, Art. 7(2)-(4): clearing price, random ties",
        "Regulation (EU) No 1031/2010, Art. 7(5)-(7): cancellation",
    ),
)

#: Volume of a cancelled auction: evenly over the next four auctions (Art. 7(8), Art. 9).
CANCELLED_VOLUME = CarryoverRule(over=4, overflow_to="")


def auction(
    bids: Bids,
    supply: int | Offers,
    *,
    min_price: float | None = None,
    rules: AuctionRules = RULES,
    rng: SeedLike = None,
) -> AuctionResult:
    """One EU ETS auction.

    Parameters
    ----------
    bids : Bids
        Bids in whole lots of 500 and whole cents.
    supply : int
        Allowances auctioned, whole lots.
    min_price : float, optional
        The clearing price below which the auction is cancelled as
        significantly under the secondary market (Art. 7(6); the platform's
        methodology gives it).
    rules : AuctionRules, default RULES
        The format; ``dataclasses.replace`` it to study a variant.
    rng : int, Generator or SeedSequence, optional
        Seed of the random order of tied bids.

    Returns
    -------
    AuctionResult
        ``status="cancelled"`` when bids fall short or the price is below
        ``min_price``; nothing is then sold.

    References
    ----------
    Regulation (EU) No 1031/2010, Articles 6 and 7.

    Examples
    --------
    Bids for 1,000 allowances when 1,500 are auctioned: cancelled (Art. 7(5)):

    >>> from auctions import Bids
    >>> bids = Bids(bidder=["a", "b"], price=[80.0, 79.0], quantity=[500, 500])
    >>> auction(bids, 1500).status
    'cancelled'
    >>> auction(bids, 1000, min_price=79.5).status
    'cancelled'
    """
    if min_price is None:
        return rules.clear(bids, supply, rng=rng)
    return rules.clear(bids, supply, rng=rng, min_price=min_price)


def redistribute(
    volume: int, planned: Sequence[int], *, rule: CarryoverRule = CANCELLED_VOLUME,
    lot_size: int = RULES.lot_size,
) -> Carryover:
    """Spread a cancelled auction's volume over the next auctions (Art. 7(8)).

    Parameters
    ----------
    volume : int
        The cancelled volume.
    planned : sequence of int
        The volumes of the next auctions of the same platform, in order.
    rule : CarryoverRule, default CANCELLED_VOLUME
        Over how many auctions, under what cap.
    lot_size : int, default 500
        Allowances per lot.

    Returns
    -------
    Carryover

    Examples
    --------
    >>> redistribute(2_000_000, [3_000_000] * 6).added
    (500000, 500000, 500000, 500000, 0, 0)
    """
    return rule.apply(volume, planned, lot_size=lot_size)
