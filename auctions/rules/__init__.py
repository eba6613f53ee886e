"""The auction formats of real emissions-trading programmes, as presets of the engine.

Each programme is one module with its rules as a frozen :class:`AuctionRules`
record (``RULES``), a function that runs one auction under them, and its
schedules; every preset clears on :func:`auctions.uniform_price`, with no
code path of its own. The module docstrings cite the article or notice each
rule comes from and say which could not be confirmed.

- :mod:`auctions.rules.eu_ets`: EU ETS (Regulation (EU) No 1031/2010);
- :mod:`auctions.rules.uk_ets`: UK ETS (SI 2021/484);
- :mod:`auctions.rules.california_quebec`: the California-Quebec joint
  auction (17 CCR 95911; Q-2, r. 46.1);
- :mod:`auctions.rules.guangdong` and :mod:`auctions.rules.shanghai`: two
  Chinese pilots.

RGGI's auctions, which need its containment reserves, are in
:mod:`allocation.programmes.rggi`.

The shared parts: :mod:`auctions.rules.base` (the rules record, price
escalation, weighted-average reserve prices), :mod:`auctions.rules.limits`
(purchase limits by bidder, ties counted per bidder) and
:mod:`auctions.rules.calendar` (volume carried to later auctions).

Examples
--------
>>> sorted(PROGRAMMES)
['california_quebec', 'eu_ets', 'guangdong', 'shanghai', 'uk_ets']
>>> PROGRAMMES["eu_ets"].tie_break, PROGRAMMES["uk_ets"].on_undersubscribed
('random', 'sell')
"""

from collections.abc import Mapping
from types import MappingProxyType

from auctions.rules import california_quebec, eu_ets, guangdong, shanghai, uk_ets
from auctions.rules.base import AuctionRules, escalate, escalate_by_year, weighted_average_price
from auctions.rules.calendar import Carryover, CarryoverRule, carry_over
from auctions.rules.limits import limits_by_type, trim_to_limits

__all__ = [
    "PROGRAMMES",
    "AuctionRules",
    "Carryover",
    "CarryoverRule",
    "california_quebec",
    "carry_over",
    "escalate",
    "escalate_by_year",
    "eu_ets",
    "guangdong",
    "limits_by_type",
    "shanghai",
    "trim_to_limits",
    "uk_ets",
    "weighted_average_price",
]

#: The auction rules of each programme in this package, by name.
PROGRAMMES: Mapping[str, AuctionRules] = MappingProxyType(
    {
        "eu_ets": eu_ets.RULES,
        "uk_ets": uk_ets.RULES,
        "california_quebec": california_quebec.RULES,
        "guangdong": guangdong.RULES,
        "shanghai": shanghai.RULES,
    }
)
