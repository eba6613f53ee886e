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
    huge: bool = False,
) -> Bids:
    """A small table of bids on a coarse price grid, quantities in whole lots
    (with ``huge``, some bids of 2^50 to 2^55 lots, beyond float64's integers)."""
    n = draw(st.integers(min_value=1, max_value=max_bids))
    bidder = draw(st.lists(st.integers(0, n_bidders - 1), min_size=n, max_size=n))
    price = draw(st.lists(prices, min_size=n, max_size=n))
    cell = st.integers(0, max_lots)
    if huge:
        cell = st.one_of(cell, st.integers(2**50, 2**55))
    lots = draw(st.lists(cell, min_size=n, max_size=n))
    return Bids(
        bidder=[f"b{i}" for i in bidder],
        price=price,
        quantity=[q * lot_size for q in lots],
    )


@st.composite
def supplies(draw: st.DrawFn, *, lot_size: int = 1, max_lots: int = 30) -> int | Offers:
    """An int supply or a supply curve of one to three steps, of up to ``max_lots`` lots."""
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
        "ration_by": draw(st.sampled_from(["bid", "bidder"])),
    }
    # One case in four has bids of 2^50 lots or more, whose totals float64
    # cannot hold exactly: permits must still be counted as integers.
    huge = draw(st.integers(0, 3)) == 0
    return {"bids": draw(bids(lot_size=lot, huge=huge)),
            "supply": draw(supplies(lot_size=lot, max_lots=2**53 if huge else 30)), **options}


def unit_values(n: int, rng: np.random.Generator) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``n`` independent U[0, 1] values."""
    return rng.random(n)


# ---------------------------------------------------------------- allocation

from hypothesis.extra import numpy as hnp  # noqa: E402 - this section is appended to the module

from allocation import Firms  # noqa: E402

#: Products, sectors and regions of the synthetic installations.
ALLOCATION_PRODUCTS = ("clinker", "lime", "glass")
ALLOCATION_SECTORS = ("cement", "chemicals")
ALLOCATION_REGIONS = ("north", "south")
ALLOCATION_RULES = ("grandfathering", "benchmarking", "historical_intensity", "equal_quantity")

#: Quantities on a coarse grid of whole numbers so that ties are common.
amounts = st.integers(min_value=0, max_value=400).map(float)
positive_amounts = st.integers(min_value=1, max_value=400).map(float)
benchmark_values = st.integers(min_value=1, max_value=20).map(lambda x: x / 10)
shares = st.sampled_from([0.0, 0.0, 0.05, 0.1, 0.25, 0.5])
caps = st.one_of(st.none(), st.integers(min_value=0, max_value=4000),
                st.integers(min_value=2**53, max_value=2**60))  # beyond float64's integers


@st.composite
def firms_tables(
    draw: st.DrawFn,
    *,
    min_firms: int = 1,
    max_firms: int = 8,
    max_years: int = 3,
    new_entrants: bool = True,
    closures: bool = False,
) -> Firms:
    """A small table of installations with gaps in their history.

    Base-year output is >= 1 where recorded (so intensities are defined);
    every installation has current output and current emissions; new
    entrants have no recorded year. Quantities are whole numbers in
    [0, 400]; the columns are drawn as a few integer arrays to keep the
    strategy fast enough for the ``ci`` profile.
    """
    n = draw(st.integers(min_firms, max_firms))
    k = draw(st.integers(1, max_years))
    first = draw(st.integers(2000, 2020))
    years = np.arange(first, first + k)
    ids = draw(st.lists(st.integers(0, 99), min_size=n, max_size=n, unique=True))
    values = draw(hnp.arrays(np.int64, (n, 2 * k + 2), elements=st.integers(0, 400)))
    mask = draw(hnp.arrays(np.bool_, (n, k), elements=st.booleans()))
    # labels: product, sector, region; entry offset; new-entrant flag; closure offset
    codes = draw(hnp.arrays(np.int64, (n, 6), elements=st.integers(0, 20)))
    is_new = (codes[:, 4] % 2 == 1) if new_entrants else np.zeros(n, dtype=bool)
    mask[np.arange(n), codes[:, 4] % k] = True
    mask[is_new] = False
    em = np.where(mask, values[:, :k], np.nan)
    out = np.where(mask, np.maximum(values[:, k : 2 * k], 1), np.nan)
    has = mask.any(axis=1)
    earliest = np.where(has, years[np.argmax(mask, axis=1)], years[-1] + 1)
    entry = earliest - codes[:, 3]
    closure: list[float | None] = [None] * n
    if closures:
        for i in np.flatnonzero(codes[:, 5] % 4 == 0).tolist():
            closure[i] = float(min(entry[i] + codes[i, 5], years[-1] + 1))
    return Firms(
        [f"f{i:02d}" for i in ids],
        product=[ALLOCATION_PRODUCTS[c % 3] for c in codes[:, 0].tolist()],
        entry_year=entry,
        base_years=years,
        emissions=em,
        output=out,
        current_output=values[:, 2 * k].astype(float),
        sector=[ALLOCATION_SECTORS[c % 2] for c in codes[:, 1].tolist()],
        region=[ALLOCATION_REGIONS[c % 2] for c in codes[:, 2].tolist()],
        closure_year=closure,
        current_emissions=values[:, 2 * k + 1].astype(float),
    )


@st.composite
def benchmark_maps(draw: st.DrawFn) -> dict[str, float]:
    """A benchmark for every product of :func:`firms_tables`."""
    return {p: draw(benchmark_values) for p in ALLOCATION_PRODUCTS}


@st.composite
def rule_options(draw: st.DrawFn, rule: str) -> dict[str, Any]:
    """The rule-specific keyword arguments ``rule`` needs, drawn at random."""
    if rule == "grandfathering":
        return {
            "statistic": draw(st.sampled_from(["mean", "median", "max", "last"])),
            "coefficient": draw(st.sampled_from([1.0, 0.98, 0.5])),
            "scaling": draw(st.sampled_from(["proportional", "down"])),
        }
    if rule == "benchmarking":
        return {
            "benchmarks": draw(benchmark_maps()),
            "activity": draw(st.sampled_from(["historical", "current"])),
            "statistic": draw(st.sampled_from(["mean", "median", "max", "last"])),
            "exposure_factor": draw(st.sampled_from([1.0, {"cement": 1.0, "chemicals": 0.3}])),
        }
    if rule == "historical_intensity":
        return {
            "reduction_factor": draw(st.sampled_from([1.0, 0.98, 0.9])),
            "benchmarks": draw(benchmark_maps()),
            "statistic": draw(st.sampled_from(["pooled", "mean", "max", "last"])),
        }
    return {"coefficient": draw(st.sampled_from([1.0, 0.95]))}


@st.composite
def common_options(draw: st.DrawFn, *, reserve: bool = False) -> dict[str, Any]:
    """Reserve, auction and leftover options (valid with a cap).

    With ``reserve=True`` the new-entrant reserve share is always positive.
    """
    pool = st.sampled_from([0.05, 0.1, 0.25, 0.5]) if reserve else shares
    reserve_share = draw(pool)
    auction = draw(shares.filter(lambda a: a + reserve_share <= 1))
    return {
        "reserve_share": reserve_share,
        "auction_share": auction,
        "leftover": draw(st.sampled_from(["hold", "cancel", "auction"])),
    }


@st.composite
def allocation_cases(
    draw: st.DrawFn, *, closures: bool = True, reserve: bool = False
) -> dict[str, Any]:
    """A rule, firms, a cap and a full set of options for it.

    With ``reserve=True`` there is always a cap and a new-entrant reserve.
    """
    rule = draw(st.sampled_from(ALLOCATION_RULES))
    firms = draw(firms_tables(closures=closures))
    cap = draw(st.integers(0, 4000)) if reserve else draw(caps)
    options = draw(rule_options(rule))
    if cap is not None:
        options.update(draw(common_options(reserve=reserve)))
    return {"rule": rule, "firms": firms, "cap": cap, "options": options}
