"""California-Quebec joint auctions: reserve price schedule, settlement, ties, purchase limits.

The joint auction of the California Cap-and-Trade Program and the Quebec
cap-and-trade system. Its rules, with their provisions (California Code of
Regulations, title 17, "17 CCR"; Quebec's Regulation respecting a
cap-and-trade system for greenhouse gas emission allowances, "Q-2, r. 46.1"):

- **Format** (17 CCR 95911(a)(1)-(4)): one round of sealed bids; quantities
  in multiples of 1,000 allowances; prices in U.S. dollars and whole cents.
- **Auction reserve price** (17 CCR 95911(b)-(c)): no allowance is sold at a
  bid below it; 10 dollars in 2012, then each year "the U.S. dollar Auction
  Reserve Price for the previous calendar year increased annually by 5
  percent plus the rate of inflation as measured by the most recently
  available twelve months of the Consumer Price Index for All Urban
  Consumers" (:func:`reserve_price`; inflation is an input). Rounding to the
  nearest cent, halves up, each year is our reading: the regulation states
  the price in dollars and cents but the rounding rule was not read.
  Quebec's own minimum price, converted at the auction exchange rate, and the
  rule that the joint auction uses the higher of the two, are not modelled.
- **Purchase limits** (Q-2, r. 46.1, s. 50): in each auction a bidder may buy
  at most 25 % of the units auctioned if it is an emitter, 4 % if it is a
  participant (:data:`PARAMETERS`). Related entities share one global limit,
  which is not modelled: give related entities one bidder label. California's
  limits for 2012-2014 were 15 % for covered entities, 40 % for electrical
  distribution utilities and 4 % for others in the Current Auction, and 25 %
  in the Advance Auction (as summarised by emissions-euets.com; the current
  text of 17 CCR 95911 on limits was not read): pass them with
  ``dataclasses.replace`` to study that period.
- **Excess bids** (Q-2, r. 46.1, s. 52): bids below the minimum price are
  rejected; lots above a bidder's purchase or holding limit are removed
  "beginning with the lots awarded at the lowest price". Holding limits and
  bid guarantees are not modelled.
- **Settlement price** (s. 52): units are awarded from the highest bids
  until none is left; "the final sale price per emission unit is, for all the
  emission units put up for auction, the lowest price bid for which the
  Minister awards units": ``price_rule="last_accepted"``. When bids fall
  short every valid bid is filled at the lowest of them.
- **Ties** (s. 52): when several bids stand at the settlement price and ask
  for more than remains, the remaining units are shared between the bidders
  at that price: each bidder's share is its quantity at that price divided by
  the total at that price; the units it receives are its share of the
  remaining units rounded down (in whole lots); the units still left go one
  lot at a time to the bidders in the ascending order of random numbers
  assigned to them. The English text of s. 52 was read only up to its first
  step; the same procedure is read in full in ss. 54.1 and 61.5 of the same
  regulation, and the *Detailed Auction Requirements and Instructions* of the
  joint auction (not read here) are cited for it by the auction guidance.
  This is the engine's ``tie_break="pro_rata"`` with ties counted per bidder
  (``pool_tied_bids=True``); :func:`tie_shares` shows the steps alone.

The Allowance Price Containment Reserve tiers and the price ceiling are in
:mod:`allocation.programmes.california_quebec`.

References
----------
California Code of Regulations, title 17, section 95911 (read at
casetext.com and regulations.justia.com, current through 2024). Quebec,
Q-2, r. 46.1, sections 50, 52, 54.1 and 61.5 (read at legisquebec.gouv.qc.ca).
California Air Resources Board and Quebec, *Auction Examples* (2018; its
table of contents, with "Example 11: Tiebreaker Example", was read; the
examples themselves were not).

Examples
--------
Three bidders for 10,000 allowances at a reserve price of 25.87:

>>> from auctions import Bids
>>> bids = Bids(bidder=["a", "b", "c"], price=[31.50, 30.00, 25.00],
...             quantity=[6000, 6000, 3000])
>>> r = auction(bids, 10_000, reserve_price=25.87)
>>> r.clearing_price, r.awarded.tolist()
(30.0, [6000, 4000, 0])
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from auctions._validate import check_nonnegative_int
from auctions.bids import Bids, Offers
from auctions.clearing import SeedLike, ration
from auctions.result import AuctionResult
from auctions.rules.base import AuctionRules, escalate, escalate_by_year
from auctions.rules.limits import limits_by_type

__all__ = [
    "PARAMETERS",
    "RULES",
    "JointAuctionParameters",
    "auction",
    "auction_reserve_price",
    "purchase_limits",
    "reserve_price",
    "tie_shares",
]

#: The joint auction format (17 CCR 95911(a); Q-2, r. 46.1, s. 52).
RULES = AuctionRules(
    name="California-Quebec joint auction",
    price_rule="last_accepted",
    tie_break="pro_rata",
    lot_size=1000,
    on_undersubscribed="sell",
    pool_tied_bids=True,
    price_decimals=2,
    sources=(
        "17 CCR 95911(a): single round, sealed bids, multiples of 1,000, whole cents",
        "17 CCR 95911(b): no allowance sold below the auction reserve price",
        "Q-2, r. 46.1, s. 52: lowest price awarded is the sale price; ties shared by bidder",
    ),
)


def _default_limits() -> Mapping[str, float]:
    return MappingProxyType({"emitter": 0.25, "participant": 0.04})


@dataclass(frozen=True, kw_only=True)
class JointAuctionParameters:
    """The joint auction's parameters; ``dataclasses.replace`` them to study variants.

    Attributes
    ----------
    rules : AuctionRules
        The auction format.
    first_year : int
        The year of the first auction reserve price (2012).
    first_reserve_price : float
        The auction reserve price in ``first_year`` (10 dollars).
    annual_increase : float
        The real yearly increase of the reserve price (5 %), to which
        inflation is added.
    purchase_limits : mapping from entity type to share
        The most a bidder of each type may buy, as a share of the units
        auctioned (Q-2, r. 46.1, s. 50: 25 % for an emitter, 4 % for a
        participant).

    Examples
    --------
    >>> from dataclasses import replace
    >>> p = replace(PARAMETERS, purchase_limits={"covered": 0.15, "utility": 0.40,
    ...                                          "other": 0.04})
    >>> sorted(p.purchase_limits)
    ['covered', 'other', 'utility']
    """

    rules: AuctionRules = RULES
    first_year: int = 2012
    first_reserve_price: float = 10.0
    annual_increase: float = 0.05
    purchase_limits: Mapping[str, float] = field(default_factory=_default_limits)


#: The joint auction's parameters as the regulations set them.
PARAMETERS = JointAuctionParameters()


def auction_reserve_price(
    previous: float, inflation: float, *, annual_increase: float = 0.05
) -> float:
    """This year's auction reserve price from last year's (17 CCR 95911(c)(3)(A)).

    ``previous x (1 + annual_increase + inflation)``, to the nearest cent.

    Parameters
    ----------
    previous : float
        Last year's auction reserve price, in dollars.
    inflation : float
        The most recent twelve-month change of the CPI-U, as a share (0.02
        for 2 %).
    annual_increase : float, default 0.05
        The real increase.

    Examples
    --------
    10.00 in 2012 with inflation of 1.7 %: 10.00 x 1.067 = 10.67:

    >>> auction_reserve_price(10.0, 0.017)
    10.67
    """
    return escalate(previous, [annual_increase + inflation])


def reserve_price(
    year: int, inflation: Mapping[int, float], *, params: JointAuctionParameters = PARAMETERS
) -> float:
    """The auction reserve price for ``year``, compounded from 10 dollars in 2012.

    Parameters
    ----------
    year : int
        ``params.first_year`` (2012) or later.
    inflation : mapping from year to float
        The CPI-U change used for each year's increase, for every year after
        the first up to ``year``.
    params : JointAuctionParameters, default PARAMETERS

    Raises
    ------
    ValueError
        For a year before the first, or a year missing from ``inflation``.

    Examples
    --------
    With 2 % inflation every year: 10.00, 10.70, 11.45 (11.449):

    >>> reserve_price(2014, {2013: 0.02, 2014: 0.02})
    11.45
    >>> reserve_price(2012, {})
    10.0
    """
    return escalate_by_year(params.first_reserve_price, params.first_year, year, inflation,
                            plus=params.annual_increase, name="inflation")


def purchase_limits(
    entity_types: Mapping[Hashable, str],
    supply: int | Offers,
    *,
    params: JointAuctionParameters = PARAMETERS,
) -> dict[Hashable, int]:
    """Each bidder's purchase limit in allowances (Q-2, r. 46.1, s. 50), whole lots.

    Examples
    --------
    >>> purchase_limits({"utility": "emitter", "bank": "participant"}, 2_000_000)
    {'utility': 500000, 'bank': 80000}
    """
    return limits_by_type(entity_types, shares=params.purchase_limits, supply=supply,
                          lot_size=params.rules.lot_size)


def auction(
    bids: Bids,
    supply: int | Offers,
    *,
    reserve_price: float,
    entity_types: Mapping[Hashable, str] | None = None,
    params: JointAuctionParameters = PARAMETERS,
    rng: SeedLike = None,
) -> AuctionResult:
    """One joint auction (Current or Advance).

    Parameters
    ----------
    bids : Bids
        Bids in multiples of 1,000 and whole cents; a bidder may submit
        several.
    supply : int
        Allowances auctioned, multiples of 1,000.
    reserve_price : float
        The auction reserve price (:func:`reserve_price`).
    entity_types : mapping from bidder to type, optional
        ``"emitter"`` or ``"participant"`` (or the types of
        ``params.purchase_limits``) for every bidder; no purchase limit when
        omitted.
    params : JointAuctionParameters, default PARAMETERS
    rng : int, Generator or SeedSequence, optional
        Seed of the random numbers given to tied bidders.

    Returns
    -------
    AuctionResult
        For the bids as submitted.

    References
    ----------
    17 CCR 95911; Q-2, r. 46.1, ss. 50 and 52.

    Examples
    --------
    A participant bidding for 100,000 of 1,000,000 allowances is cut to its
    4 % limit, 40,000, at its lowest prices first:

    >>> from auctions import Bids
    >>> bids = Bids(bidder=["fund", "fund", "plant"], price=[40.00, 35.00, 30.00],
    ...             quantity=[30_000, 70_000, 1_000_000])
    >>> r = auction(bids, 1_000_000, reserve_price=25.87,
    ...             entity_types={"fund": "participant", "plant": "emitter"})
    >>> r.awarded.tolist(), r.clearing_price
    ([30000, 10000, 250000], 30.0)
    """
    limits = None
    if entity_types is not None:
        limits = purchase_limits(entity_types, supply, params=params)
    return params.rules.clear(bids, supply, limits=limits, rng=rng, reserve_price=reserve_price)


def tie_shares(
    tied: Mapping[Hashable, int], remaining: int, *, lot_size: int = 1000, rng: SeedLike = None
) -> dict[Hashable, int]:
    """The tie procedure alone: share ``remaining`` allowances between tied bidders.

    Each bidder's share is its quantity at the settlement price over the
    total at that price; it receives that share of ``remaining`` rounded down
    to whole lots; the lots left go one each to bidders in a random order.
    This is :func:`auctions.clearing.ration` with ``"pro_rata"``, the rule
    :func:`auction` uses.

    Parameters
    ----------
    tied : mapping from bidder to int
        Each tied bidder's total quantity at the settlement price, whole lots.
    remaining : int
        Allowances left for them, whole lots, at most their total.
    lot_size : int, default 1000
    rng : int, Generator or SeedSequence, optional

    Returns
    -------
    dict

    Examples
    --------
    10 lots remain for bidders asking for 8, 6 and 6 lots: 4, 3 and 3, no
    draw needed:

    >>> tie_shares({"a": 8000, "b": 6000, "c": 6000}, 10_000)
    {'a': 4000, 'b': 3000, 'c': 3000}
    """
    lot = check_nonnegative_int("lot_size", lot_size, minimum=1)
    labels = list(tied)
    quantities = [check_nonnegative_int(f"tied[{k!r}]", tied[k]) for k in labels]
    left = check_nonnegative_int("remaining", remaining)
    for name, value in [*((f"tied[{k!r}]", q) for k, q in zip(labels, quantities, strict=True)),
                        ("remaining", left)]:
        if value % lot:
            raise ValueError(f"{name} must be a whole multiple of lot_size={lot} (got {value})")
    lots = np.array(quantities, dtype=np.int64) // lot
    if left // lot > int(lots.sum()):
        raise ValueError(
            f"remaining must be <= the tied quantity {int(lots.sum()) * lot} (got {left})"
        )
    shares = ration(lots, left // lot, "pro_rata", np.random.default_rng(rng))
    return {k: int(s) * lot for k, s in zip(labels, shares.tolist(), strict=True)}
