"""Generic price-forming mechanisms: bids, the clearing engine and sealed-bid formats.

``auctions`` knows nothing of emissions; :mod:`allocation` builds permit
policy on top of it.

Examples
--------
>>> from auctions import Bids, uniform_price
>>> bids = Bids(bidder=["a", "b"], price=[20.0, 15.0], quantity=[60, 60])
>>> uniform_price(bids, 100, reserve_price=10.0).clearing_price
15.0
"""

from auctions import rules
from auctions.batch import BatchResult, batch_seeds, clear_batch
from auctions.bids import Bids, Offers
from auctions.clearing import (
    ON_UNDERSUBSCRIBED,
    PRICE_RULES,
    STATUSES,
    TIE_BREAKS,
    Clearing,
    ClearingOptions,
    Margins,
    clear,
)
from auctions.double import DOUBLE_PRICE_RULES, DOUBLE_RULES, double_auction, market_clearing_range
from auctions.experiments import auction_revenue, run_experiment
from auctions.invariants import conserves_permits, is_budget_balanced, is_individually_rational
from auctions.registry import ALIASES, FORMATS, AuctionFormat, get_format
from auctions.result import AuctionResult, BidderTotal
from auctions.reverse import PRICINGS, reverse_auction
from auctions.sealed_bid import pay_as_bid, uniform_price, vickrey

__all__ = [
    "ALIASES",
    "DOUBLE_PRICE_RULES",
    "DOUBLE_RULES",
    "FORMATS",
    "ON_UNDERSUBSCRIBED",
    "PRICE_RULES",
    "PRICINGS",
    "STATUSES",
    "TIE_BREAKS",
    "AuctionFormat",
    "AuctionResult",
    "BatchResult",
    "BidderTotal",
    "Bids",
    "Clearing",
    "ClearingOptions",
    "Margins",
    "Offers",
    "auction_revenue",
    "batch_seeds",
    "clear",
    "clear_batch",
    "conserves_permits",
    "double_auction",
    "get_format",
    "is_budget_balanced",
    "is_individually_rational",
    "market_clearing_range",
    "pay_as_bid",
    "reverse_auction",
    "rules",
    "run_experiment",
    "uniform_price",
    "vickrey",
]

__version__ = "0.1.0"
