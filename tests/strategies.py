"""Hypothesis strategies shared by the test suite."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from auctions import Bids, Offers

# ---------------------------------------------------------------- auctions

#: Prices on a coarse grid so that ties at the margin are common.
prices = st.integers(min_value=0, max_value=40).map(lambda x: x / 2)
lot_sizes = st.sampled_from([1, 1, 2, 5])
price_rules = st.sampled_from(["last_accepted", "first_rejected"])
tie_breaks = st.sampled_from(["pro_rata", "random", "time"])


@st.composite
def bids(
    draw: st.DrawFn,
    *,
    lot_size: int = 1,
    max_bids: int = 12,
    max_lots: int = 6,
    n_bidders: int = 5,
) -> Bids:
    """A small table of bids on a coarse price grid, quantities in whole lots."""
    n = draw(st.integers(min_value=1, max_value=max_bids))
    bidder = draw(st.lists(st.integers(0, n_bidders - 1), min_size=n, max_size=n))
    price = draw(st.lists(prices, min_size=n, max_size=n))
    lots = draw(st.lists(st.integers(0, max_lots), min_size=n, max_size=n))
    return Bids(
        bidder=[f"b{i}" for i in bidder],
        price=price,
        quantity=[q * lot_size for q in lots],
    )


@st.composite
def supplies(draw: st.DrawFn, *, lot_size: int = 1, max_lots: int = 30) -> int | Offers:
    """An int supply or a supply curve of one to three steps."""
    if draw(st.booleans()):
        return draw(st.integers(0, max_lots)) * lot_size
    k = draw(st.integers(1, 3))
    steps = draw(st.lists(prices, min_size=k, max_size=k))
    lots = draw(st.lists(st.integers(0, max_lots // k), min_size=k, max_size=k))
    return Offers(price=sorted(steps), quantity=[q * lot_size for q in lots])


@st.composite
def auction_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Bids, supply and a full set of clearing options."""
    lot = draw(lot_sizes)
    options: dict[str, Any] = {
        "reserve_price": draw(prices),
        "price_rule": draw(price_rules),
        "tie_break": draw(tie_breaks),
        "lot_size": lot,
        "bidder_limit": draw(st.one_of(st.none(), st.sampled_from([0.25, 0.4, 0.5, 1.0]))),
        "on_undersubscribed": draw(st.sampled_from(["sell", "cancel"])),
        "rng": draw(st.integers(0, 2**32 - 1)),
    }
    return {"bids": draw(bids(lot_size=lot)), "supply": draw(supplies(lot_size=lot)), **options}


def unit_values(n: int, rng: np.random.Generator) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``n`` independent U[0, 1] values."""
    return rng.random(n)
