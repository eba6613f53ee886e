"""Real emissions-trading programmes as presets of the library's general parts.

One module per programme, each combining the auction formats of
:mod:`auctions.rules` with the reserves, containment, stability and
benchmarking rules of :mod:`allocation`:

- :mod:`allocation.programmes.rggi`: RGGI's auctions with the reserve price
  schedule and the cost- and emissions-containment reserves;
- :mod:`allocation.programmes.california_quebec`: the Allowance Price
  Containment Reserve tiers and the price ceiling;
- :mod:`allocation.programmes.eu_ets`: EU ETS auction volumes with the
  Market Stability Reserve;
- :mod:`allocation.programmes.guangdong`: auctions from the market
  adjustment reserve;
- :mod:`allocation.programmes.hubei`: fixed-price sales of reserved
  allowances;
- :mod:`allocation.programmes.china_national_ets`: the national ETS
  power-sector benchmark allocation with its correction factors.

Examples
--------
>>> sorted(AUCTION_RULES)
['california_quebec', 'eu_ets', 'guangdong', 'rggi', 'shanghai', 'uk_ets']
"""

from collections.abc import Mapping
from types import MappingProxyType

from allocation.programmes import (
    california_quebec,
    china_national_ets,
    eu_ets,
    guangdong,
    hubei,
    rggi,
)
from auctions.rules import PROGRAMMES, AuctionRules

__all__ = [
    "AUCTION_RULES",
    "california_quebec",
    "china_national_ets",
    "eu_ets",
    "guangdong",
    "hubei",
    "rggi",
]

#: Every programme's auction rules, by name (those of :mod:`auctions.rules` and RGGI's).
AUCTION_RULES: Mapping[str, AuctionRules] = MappingProxyType({**PROGRAMMES, "rggi": rggi.RULES})
