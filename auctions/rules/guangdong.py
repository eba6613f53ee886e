# ruff: noqa: RUF001, RUF002 - Chinese notices are cited as published, with full-width punctuation
"""Guangdong pilot auctions of paid allowances (广东省碳排放配额有偿发放).

The Guangzhou Emissions Exchange (广州碳排放权交易所) sells Guangdong's paid
allowances by sealed-bid auction on behalf of the provincial Development and
Reform Commission. The rules, with the notice each comes from:

- **Reserve price.** 2014 (first auction of the year): a floor price
  (竞买底价) of 25 yuan per tonne. From the 2015 notices: no limit on the price
  bid, but a policy reserve price (政策保留价) that is "the lowest effective
  price"; in the third 2016 auction (27 March 2017) it was 16.09 yuan,
  computed as the weighted average trade price of Guangdong allowances in the
  three calendar months before the notice (:func:`policy_reserve_price`;
  rounding to the cent is our reading).
- **Price, then time priority; uniform price.** "The trading system sorts
  all bids by price priority, and bids at the same price by time priority";
  when the bids exceed the volume they are filled in that order and "the
  price is uniformly the lowest price bid among the successful bidders"
  (2014 first notice; the 2015 second notice says the same for the sorting
  and the uniform price): ``price_rule="last_accepted"``,
  ``tie_break="time"``. Pass submission times as ``Bids(time=...)`` or
  list the bids in submission order.
- **Undersubscription.** "When the total bid volume is not greater than the
  volume offered, all bids are filled at the lowest bid price" (2014 first
  notice): ``on_undersubscribed="sell"``, the price being the lowest valid
  bid. The 2015 notice's own wording of this case was cut off in the copy
  read ("当申报价高于政策保留价的申报总量大..."), so that it is unchanged after 2014
  is assumed.
- **Bid size and per-bidder cap** (2015 second and 2016 third notices): each
  bid at least 1,000 tonnes; a bidder's cumulative bids may not exceed 50 %
  of the volume offered: ``min_bid_quantity=1000``, ``bidder_limit=0.5`` (the
  engine removes a bidder's lots above the cap, lowest-priced first; the
  exchange's system refuses them at submission). In 2014 covered and new
  project enterprises had no quantity limit and others bid at least 5,000
  tonnes a bid.
- **Eligibility** (2015, 2016 notices): covered enterprises, new project
  enterprises and investment institutions that are members of the exchange.
- **Unsold allowances** return to the provincial market adjustment reserve
  (see :func:`allocation.programmes.guangdong.reserve_auction`); that rule
  is as the practice is generally described and was not read in a notice.

References
----------
广州碳排放权交易所, 2014年度广东省碳排放配额有偿发放（第一次）公告 (auction of
26 September 2014: 2 million tonnes, floor price 25 yuan; sections 四-六).
广州碳排放权交易所, 2015年度广东省碳排放配额有偿发放（第二次）公告, 10 December 2015
(300,000 tonnes; policy reserve price 12.8 yuan; sections 三-六).
广州碳排放权交易所, 2016年度广东省碳排放配额有偿发放（第三次）公告, 16 March 2017
(500,000 tonnes; policy reserve price 16.09 yuan from the three previous
calendar months' weighted average; sections 三-五). All read as reproduced by
tanpaifang.com and bjx.com.cn.

Examples
--------
Bids at the same price are filled in order of submission:

>>> from auctions import Bids
>>> bids = Bids(bidder=["a", "b", "c"], price=[30.0, 28.0, 28.0],
...             quantity=[100_000, 100_000, 100_000], time=[3.0, 2.0, 1.0])
>>> r = auction(bids, 250_000, reserve_price=16.09)
>>> r.clearing_price, r.awarded.tolist()
(28.0, [100000, 50000, 100000])
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from auctions.bids import Bids, Offers
from auctions.clearing import SeedLike
from auctions.result import AuctionResult
from auctions.rules.base import AuctionRules, weighted_average_price

__all__ = ["RULES", "auction", "policy_reserve_price"]

#: Guangdong's auction format (2015 and 2016 notices of the Guangzhou exchange).
RULES = AuctionRules(
    name="Guangdong",
    price_rule="last_accepted",
    tie_break="time",
    bidder_limit=0.5,
    on_undersubscribed="sell",
    min_bid_quantity=1000,
    price_decimals=2,
    sources=(
        "2014年度广东省碳排放配额有偿发放（第一次）公告, 六: price then time, lowest winning bid",
        "2015年度广东省碳排放配额有偿发放（第二次）公告, 五: bids >= 1,000 t, at most 50 %",
    ),
)


def policy_reserve_price(prices: ArrayLike, volumes: ArrayLike) -> float:
    """The policy reserve price: the weighted average secondary-market price, to the cent.

    Parameters
    ----------
    prices, volumes : sequence
        The listed trades of Guangdong allowances in the three calendar
        months before the notice (2016 third notice).

    Examples
    --------
    >>> policy_reserve_price([15.50, 16.20, 16.40], [40_000, 100_000, 60_000])
    16.12
    """
    return weighted_average_price(prices, volumes)


def auction(
    bids: Bids,
    supply: int | Offers,
    *,
    reserve_price: float,
    rules: AuctionRules = RULES,
    rng: SeedLike = None,
) -> AuctionResult:
    """One Guangdong auction of paid allowances.

    Parameters
    ----------
    bids : Bids
        Bids of at least 1,000 tonnes, in yuan and fen; rows in submission
        order or with ``time``.
    supply : int
        Tonnes offered.
    reserve_price : float
        The floor or policy reserve price (:func:`policy_reserve_price`).
    rules : AuctionRules, default RULES
    rng : int, Generator or SeedSequence, optional
        Unused by time priority; accepted for a uniform signature.

    Returns
    -------
    AuctionResult

    Examples
    --------
    An undersubscribed auction: every valid bid is filled at the lowest one
    (2014 notice, section 六):

    >>> from auctions import Bids
    >>> bids = Bids(bidder=["a", "b"], price=[27.0, 25.5], quantity=[300_000, 200_000])
    >>> r = auction(bids, 2_000_000, reserve_price=25.0)
    >>> r.clearing_price, r.sold, r.unsold
    (25.5, 500000, 1500000)
    """
    return rules.clear(bids, supply, rng=rng, reserve_price=reserve_price)
