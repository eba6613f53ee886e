"""A name-to-function registry of the sealed-bid formats, for sweeps and configs.

Examples
--------
>>> sorted(FORMATS)
['pay_as_bid', 'uniform_price', 'vickrey']
>>> get_format("discriminatory").__name__
'pay_as_bid'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol, Unpack

from auctions.bids import Bids, Offers
from auctions.clearing import ClearingOptions
from auctions.result import AuctionResult
from auctions.sealed_bid import pay_as_bid, uniform_price, vickrey

__all__ = ["ALIASES", "FORMATS", "AuctionFormat", "get_format"]


class AuctionFormat(Protocol):
    """The call signature every registered format shares."""

    __name__: str

    def __call__(
        self, bids: Bids, supply: int | Offers, **options: Unpack[ClearingOptions]
    ) -> AuctionResult: ...


FORMATS: Mapping[str, AuctionFormat] = MappingProxyType(
    {"uniform_price": uniform_price, "pay_as_bid": pay_as_bid, "vickrey": vickrey}
)

#: Synonyms from the literature and from regulators' notices.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "uniform": "uniform_price",
        "discriminatory": "pay_as_bid",
        "pay-as-bid": "pay_as_bid",
        "generalized_second_price": "vickrey",
        "vcg": "vickrey",
    }
)


def get_format(name: str) -> AuctionFormat:
    """The format registered under ``name`` or one of its aliases."""
    key = ALIASES.get(name, name) if isinstance(name, str) else name
    if not isinstance(key, str) or key not in FORMATS:
        known = ", ".join(sorted([*FORMATS, *ALIASES]))
        raise ValueError(f"format must be one of {known} (got {name!r})")
    return FORMATS[key]
