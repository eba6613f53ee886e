# ruff: noqa: RUF001, RUF002 - Chinese notices are cited as published, with full-width punctuation
"""Shanghai pilot auctions of allowances (上海碳排放配额有偿竞价发放), for compliance only.

The Shanghai Environment and Energy Exchange auctions Shanghai allowances
(SHEA) on notice of the municipal Development and Reform Commission (later
the Bureau of Ecology and Environment). The rules, with their notices:

- **Reserve price from the secondary market.** 2017 and 2018: "1.2 times the
  weighted average price of listed trades of SHEA" over a stated period, "and
  not higher than 42 yuan per tonne" (:func:`reserve_price`); 2024 (third
  2023-year auction): 1.2 times the weighted average of the six months before
  the auction, no cap; 2021 and 2023 (first auctions of the 2020 and 2022
  years): the weighted average itself (``multiplier=1.0``, ``cap=None``).
  Bids below it are not allowed ("竞买人报价不得低于竞买底价"); the rounding of
  the average is not stated (we round to the cent).
- **Price, then time priority; uniform price** (all these notices): bids are
  sorted "按照价格优先、时间优先原则" at the close and "the lowest bid price
  within the volume offered" is the uniform price: ``tie_break="time"``,
  ``price_rule="last_accepted"``. When bids fall short, every bid is within
  the volume and the lowest one sets the price (``on_undersubscribed="sell"``;
  the notices do not treat the case separately).
- **Compliance only.** In 2017, 2018 and 2024 only units covered by the
  scheme could bid ("本市纳入配额管理的单位"), and the allowances bought "can
  only be used for the buyer's own compliance for the year, not for market
  trading" (2017, 2018): :func:`auction` refuses a bid from a bidder not in
  ``covered``. That the allowances cannot be resold is a property of the
  allowances after the auction, recorded here but not enforced by it.
- **Per-bidder caps** (2021 and 2023 notices, when investors could also bid):
  at most 100,000 tonnes for a covered unit and 50,000 for an investment
  institution (:data:`PURCHASE_CAPS`; pass ``entity_types``).

References
----------
上海市发展和改革委员会, 关于上海市碳排放配额有偿竞价发放的公告 (auction of 30 June
2017: 2 million tonnes; sections 四-六). 沪发改公告〔2018〕2号 (auction of 31 July
2018, the same rules). 上海市生态环境局, 2020年度上海碳排放配额第一次有偿竞价发放的
公告 (9 August 2021) and 沪环气候〔2023〕174号 (caps of 100,000 and 50,000
tonnes; floor at the weighted average). 沪环气候〔2024〕180号 (floor at 1.2 times
the six-month average; covered units only). Read as reproduced by
tanpaifang.com and other sites.

Examples
--------
>>> from auctions import Bids
>>> bids = Bids(bidder=["u1", "u2"], price=[42.0, 40.0], quantity=[60_000, 60_000])
>>> r = auction(bids, 100_000, reserve_price=39.0, covered={"u1", "u2"})
>>> r.clearing_price, r.awarded.tolist()
(40.0, [60000, 40000])
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from types import MappingProxyType
from typing import Final

from numpy.typing import ArrayLike

from auctions.bids import Bids, Offers
from auctions.clearing import SeedLike
from auctions.result import AuctionResult
from auctions.rules.base import AuctionRules, weighted_average_price
from auctions.rules.limits import limits_by_type

__all__ = ["PURCHASE_CAPS", "RULES", "auction", "reserve_price"]

#: Shanghai's auction format (notices of 2017-2024).
RULES = AuctionRules(
    name="Shanghai",
    price_rule="last_accepted",
    tie_break="time",
    on_undersubscribed="sell",
    price_decimals=2,
    sources=(
        "关于上海市碳排放配额有偿竞价发放的公告 (2017), 五: price then time priority, "
        "lowest bid within the volume",
        "沪环气候〔2023〕174号, 五: at most 100,000 t per covered unit, 50,000 t per investor",
    ),
)

#: Most tonnes a bidder of each type may bid for (2021 and 2023 notices).
PURCHASE_CAPS: Final[Mapping[str, int]] = MappingProxyType(
    {"covered": 100_000, "investor": 50_000}
)


def reserve_price(
    prices: ArrayLike, volumes: ArrayLike, *, multiplier: float = 1.2, cap: float | None = 42.0
) -> float:
    """The floor price: ``multiplier`` times the weighted average listed price, capped.

    The defaults are the 2017 and 2018 rule (1.2 times, at most 42 yuan).

    Examples
    --------
    >>> reserve_price([30.0, 36.0], [100, 200])
    40.8
    >>> reserve_price([36.0, 38.0], [100, 100])
    42.0
    >>> reserve_price([36.0, 38.0], [100, 100], multiplier=1.0, cap=None)
    37.0
    """
    return weighted_average_price(prices, volumes, multiplier=multiplier, cap=cap)


def auction(
    bids: Bids,
    supply: int | Offers,
    *,
    reserve_price: float,
    covered: Collection[Hashable] | None = None,
    entity_types: Mapping[Hashable, str] | None = None,
    caps: Mapping[str, int] = PURCHASE_CAPS,
    rules: AuctionRules = RULES,
    rng: SeedLike = None,
) -> AuctionResult:
    """One Shanghai auction.

    Parameters
    ----------
    bids : Bids
        Bids in yuan and fen; rows in submission order or with ``time``.
    supply : int
        Tonnes offered.
    reserve_price : float
        The floor (:func:`reserve_price`).
    covered : collection of labels, optional
        The units covered by the scheme; when given, only they may bid
        (compliance-only auctions).
    entity_types : mapping from bidder to type, optional
        ``"covered"`` or ``"investor"`` for every bidder, to apply ``caps``.
    caps : mapping from type to int, default PURCHASE_CAPS
    rules : AuctionRules, default RULES
    rng : int, Generator or SeedSequence, optional
        Unused by time priority.

    Raises
    ------
    ValueError
        If a bidder is not in ``covered``.

    Examples
    --------
    >>> from auctions import Bids
    >>> bids = Bids(bidder=["u1", "fund"], price=[45.0, 44.0], quantity=[120_000, 80_000])
    >>> r = auction(bids, 500_000, reserve_price=40.0,
    ...             entity_types={"u1": "covered", "fund": "investor"})
    >>> r.awarded.tolist(), r.clearing_price
    ([100000, 50000], 44.0)
    """
    if not isinstance(bids, Bids):
        raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
    if covered is not None:
        allowed = set(covered)
        for label in bids.bidders.tolist():
            if label not in allowed:
                raise ValueError(
                    f"bidder {label!r} is not a covered unit: only covered units may bid "
                    "in a compliance-only auction"
                )
    limits = None
    if entity_types is not None:
        limits = limits_by_type(entity_types, quantities=caps, lot_size=rules.lot_size)
    return rules.clear(bids, supply, limits=limits, rng=rng, reserve_price=reserve_price)
