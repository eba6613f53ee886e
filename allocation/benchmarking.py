# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""Benchmarking: free permits per unit of product, the same for every installation.

Also called the benchmark method, output-based allocation (when the activity
is current output) or the industry benchmark method (行业基准线法). Each
installation receives

    benchmark[product] x activity level x exposure factor x sector factor x unit factor

where the benchmark is the permits per unit of product (for the EU ETS, the
average emission intensity of the 10 % most efficient installations), the
activity level is the historical output (a statistic of the base years) or
the current output, and the factors are optional: the carbon-leakage
exposure factor and a sector adjustment (both mappings by sector or per-firm
values), and installation-level corrections (China's power-sector cooling,
heat-supply and load corrections). When the total exceeds the free budget,
every allocation is multiplied by one uniform correction factor (the EU ETS
cross-sectoral correction factor); a published factor may also be imposed.

Benchmarking does not look at an installation's own emissions: two
installations of the same product and output receive the same permits
whatever they emitted and whenever they entered (with current activity),
which is why it treats new entrants and incumbents alike.

References
----------
Commission Decision 2011/278/EU, Article 10 and Annex I (benchmarks for
2013-2020); Commission Delegated Regulation (EU) 2019/331, Articles 16 and
Annex I; Commission Implementing Regulation (EU) 2021/447 (benchmark values
for 2021-2025); Commission Decision 2013/448/EU, Article 4 and Annex II (the
cross-sectoral correction factor for 2013-2020).
Ministry of Ecology and Environment of China, 2019-2020年全国碳排放权交易配额总量
设定与分配实施方案（发电行业）(国环规气候〔2020〕3号): allowances = supplied
electricity x benchmark x cooling, heat-supply and load corrections.
European Commission (2019). *Guidance Document n°2 on the harmonised free
allocation methodology for the EU ETS post 2020*.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Unpack

from numpy.typing import ArrayLike

from allocation.firms import Firms
from allocation.free_allocation import (
    STATISTICS,
    Allocation,
    AllocationOptions,
    allocate,
    check_cap,
    history_statistic,
    per_firm,
)
from auctions._validate import check_choice

__all__ = ["ACTIVITIES", "benchmarking"]

ACTIVITIES = ("historical", "current")

Factor = float | ArrayLike | Mapping[Any, float]


def benchmarking(
    firms: Firms,
    cap: int | None = None,
    *,
    benchmarks: Mapping[Any, float],
    activity: Literal["historical", "current"] = "historical",
    statistic: Literal["mean", "median", "max", "last"] = "mean",
    exposure_factor: Factor = 1.0,
    sector_factor: Factor = 1.0,
    unit_factor: float | ArrayLike = 1.0,
    correction_factor: float | None = None,
    scaling: Literal["down", "proportional"] = "down",
    **options: Unpack[AllocationOptions],
) -> Allocation:
    """Free permits = benchmark x activity level x factors, corrected to the cap.

    Parameters
    ----------
    firms : Firms
        The installations.
    cap : int, optional
        Permits available; None for no cap (each installation gets its
        benchmark allocation and the total is the sum).
    benchmarks : mapping
        Permits per unit of product, by product, each finite and >= 0. Every
        product that needs one must be in it; extra products are ignored.
    activity : {"historical", "current"}, default "historical"
        The activity level: a statistic of the base-year output (new
        entrants have none and get nothing, unless a reserve serves them on
        their current output), or the current output.
    statistic : {"mean", "median", "max", "last"}, default "mean"
        The historical activity level (the EU uses the mean of the baseline
        years from 2021, the median before).
    exposure_factor, sector_factor : float, sequence or mapping by sector
        Factors in [0, 1]: the carbon-leakage exposure factor and a sector
        adjustment.
    unit_factor : float or sequence
        An installation-level correction >= 0 (China's cooling, heat-supply
        and load corrections, multiplied together).
    correction_factor : float, optional
        A uniform factor > 0 imposed on every allocation (a published
        cross-sectoral correction factor). If the result still exceeds the
        cap, it is corrected further.
    scaling : {"down", "proportional"}, default "down"
        See :mod:`allocation.free_allocation`.
    **options
        ``reserve_share``, ``auction_share``, ``leftover``, ``bids``,
        ``auction_options``, ``rng``, ``year``: see
        :mod:`allocation.free_allocation`.

    Returns
    -------
    Allocation

    Raises
    ------
    ValueError, TypeError
        For a product missing from ``benchmarks``, negative benchmarks or
        factors, an unknown activity or statistic, a negative cap, shares
        outside [0, 1].

    References
    ----------
    Commission Decision 2011/278/EU, Article 10; Commission Decision
    2013/448/EU, Annex II; Directive 2003/87/EC, Article 10a(5).

    Examples
    --------
    Two clinker kilns with a historical output of 1,000 t and 500 t at the
    2013-2020 EU benchmark of 0.766 allowances per tonne, under a cap that
    does not bind:

    >>> firms = Firms(["k1", "k2"], product="grey cement clinker", entry_year=2000,
    ...               base_years=[2019, 2020], emissions=[[850.0, 800.0], [400.0, 410.0]],
    ...               output=[[1000.0, 1000.0], [500.0, 500.0]], current_output=[900.0, 600.0])
    >>> a = benchmarking(firms, 10_000, benchmarks={"grey cement clinker": 0.766})
    >>> a.permits.tolist(), a.correction_factor, a.reserved
    ([766, 383], 1.0, 8851)

    With a cap of 1,000 the allocations are scaled down by one factor:

    >>> a = benchmarking(firms, 1000, benchmarks={"grey cement clinker": 0.766})
    >>> a.permits.tolist(), round(a.correction_factor, 4)
    ([667, 333], 0.8703)

    Output-based (current activity), with the 2013 cross-sectoral correction
    factor imposed:

    >>> benchmarking(firms, benchmarks={"grey cement clinker": 0.766},
    ...              activity="current", correction_factor=0.94272151).permits.tolist()
    [650, 433]
    """
    checked = check_cap(cap)
    act = check_choice("activity", activity, ACTIVITIES)
    stat = check_choice("statistic", statistic, STATISTICS)
    if not isinstance(benchmarks, Mapping):
        raise TypeError(
            f"benchmarks must be a mapping from product to permits per unit "
            f"(got {type(benchmarks).__name__})"
        )
    bm = per_firm("benchmarks", benchmarks, firms, by="product")
    factors = (
        per_firm("exposure_factor", exposure_factor, firms, upper=1.0)
        * per_firm("sector_factor", sector_factor, firms, upper=1.0)
        * per_firm("unit_factor", _not_mapping("unit_factor", unit_factor), firms)
    )
    per_unit = bm * factors
    if act == "current":
        level = firms.current_output
    else:
        level = history_statistic(firms.output, firms.recorded, stat)
    entitlement = per_unit * level
    claim = per_unit * firms.current_output
    return allocate(
        "benchmarking",
        firms,
        checked,
        entitlement,
        entrant_claim=claim,
        scaling=scaling,
        correction_factor=correction_factor,
        options=options,
    )


def _not_mapping(name: str, value: object) -> object:
    if isinstance(value, Mapping):
        raise TypeError(f"{name} must be a number or one value per firm (got a mapping)")
    return value
