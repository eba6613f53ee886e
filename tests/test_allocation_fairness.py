"""Fairness measures worked by hand: permits and costs per unit of output, windfalls,
the vintage gap, the Gini coefficient, groups and the side-by-side comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest

from allocation import Firms, benchmarking, compare, grandfathering
from allocation.fairness import (
    by_group,
    gini,
    net_cost,
    net_cost_per_output,
    permits_per_output,
    twin_gap,
    vintage_gap,
    windfall,
)

nan = math.nan


@pytest.fixture
def market() -> Firms:
    """Two steel incumbents, one steel entrant, one cement incumbent and entrant."""
    return Firms(
        ["s-old-1", "s-old-2", "s-new", "c-old", "c-new"],
        product=["steel", "steel", "steel", "cement", "cement"],
        entry_year=[1980, 1990, 2021, 1985, 2021],
        base_years=[2020],
        emissions=[[1200.0], [600.0], [nan], [900.0], [nan]],
        output=[[1000.0], [500.0], [nan], [1000.0], [nan]],
        current_output=[1000.0, 500.0, 500.0, 1000.0, 1000.0],
        sector=["metals", "metals", "metals", "minerals", "minerals"],
        region=["east", "west", "west", "east", "west"],
        current_emissions=[1200.0, 600.0, 600.0, 900.0, 900.0],
    )


def test_grandfathering_measures_by_hand(market: Firms) -> None:
    # Cap 2100 shared 1200 : 600 : 900 (total 2700): 933.33, 466.67, 700.
    # Floors 933 + 466 + 700 = 2099; the last permit to s-old-2 (.67).
    a = grandfathering(market, 2100)
    assert a.permits.tolist() == [933, 467, 0, 700, 0]
    assert permits_per_output(a).tolist() == [0.933, 0.934, 0.0, 0.7, 0.0]
    # At 50 per permit: windfalls 46,650, 23,350, 0, 35,000, 0.
    assert windfall(a, 50.0).tolist() == [46_650.0, 23_350.0, 0.0, 35_000.0, 0.0]
    # Net cost 50 x (emissions - permits): 50 x 267 = 13,350; 50 x 133 = 6,650;
    # the steel entrant pays for all 600: 30,000; cement 50 x 200 = 10,000; 45,000.
    assert net_cost(a, 50.0).tolist() == [13_350.0, 6_650.0, 30_000.0, 10_000.0, 45_000.0]
    assert net_cost_per_output(a, 50.0).tolist() == [13.35, 13.3, 60.0, 10.0, 45.0]


def test_vintage_gap_by_hand(market: Firms) -> None:
    a = grandfathering(market, 2100)
    gap = vintage_gap(a)
    # Steel: incumbents (933 + 467) / 1500 = 0.9333..; entrant 0 / 500 = 0.
    # Cement: incumbent 700 / 1000 = 0.7; entrant 0.
    assert gap.product.tolist() == ["steel", "cement"]
    assert gap.incumbent == pytest.approx([1400 / 1500, 0.7])
    assert gap.new_entrant.tolist() == [0.0, 0.0]
    # Overall: weighted by the entrants' output (500 steel, 1000 cement):
    # (0.9333 x 500 + 0.7 x 1000) / 1500 = 0.7778.
    assert gap.overall == pytest.approx((1400 / 1500 * 500 + 0.7 * 1000) / 1500)
    # At 50 per permit the steel entrant pays 46.67 more per tonne than an
    # incumbent of identical technology.
    assert gap.cost_gap(50.0) == pytest.approx([50 * 1400 / 1500, 35.0])


def test_benchmarking_on_current_output_closes_the_gap(market: Firms) -> None:
    a = benchmarking(market, benchmarks={"steel": 1.0, "cement": 0.7}, activity="current")
    assert a.permits.tolist() == [1000, 500, 500, 700, 700]
    gap = vintage_gap(a)
    assert gap.gap.tolist() == [0.0, 0.0]
    assert gap.overall == 0.0
    twins = twin_gap(
        "benchmarking", market, None, benchmarks={"steel": 1.0, "cement": 0.7}, activity="current"
    )
    assert twins[[0, 1, 3]].tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(twins[[2, 4]]).all()


def test_twin_gap_under_grandfathering_is_the_incumbent_s_allocation(market: Firms) -> None:
    # Without a cap each incumbent keeps its baseline; its twin gets nothing:
    # 1200 / 1000, 600 / 500, 900 / 1000.
    gaps = twin_gap("grandfathering", market, None)
    assert gaps[[0, 1, 3]].tolist() == [1.2, 1.2, 0.9]


def test_gini_by_hand() -> None:
    # Values 1, 2, 3, 4: sum_i (2i - n - 1) x_i / (n sum x) = (-3 - 2 + 3 + 12) / 40.
    assert gini([1.0, 2.0, 3.0, 4.0]) == pytest.approx(10 / 40)
    # One holder of everything among n = 4: (n - 1) / n.
    assert gini([0.0, 0.0, 0.0, 5.0]) == pytest.approx(0.75)
    # Weights count like repeated values: 1 (weight 2) and 4 equals 1, 1, 4:
    # (-2 - 0 + 8) / (3 x 6) = 1/3.
    assert gini([1.0, 4.0], [2.0, 1.0]) == pytest.approx(gini([1.0, 1.0, 4.0]))
    assert gini([1.0, 1.0, 4.0]) == pytest.approx(6 / 18)
    assert gini([nan, 2.0, 2.0]) == 0.0
    assert gini([0.0, 0.0]) == 0.0


def test_by_group_vintage_sector_region(market: Firms) -> None:
    a = grandfathering(market, 2100)
    vintage = by_group(a, "vintage", price=50.0)
    assert vintage.group.tolist() == ["incumbent", "new_entrant"]
    assert vintage.firms.tolist() == [3, 2]
    assert vintage.output.tolist() == [2500.0, 1500.0]
    assert vintage.permits.tolist() == [2100.0, 0.0]
    assert vintage.permits_per_output.tolist() == [0.84, 0.0]
    assert vintage.windfall is not None and vintage.windfall.tolist() == [105_000.0, 0.0]
    # Incumbents: 50 x (2700 - 2100) / 2500 = 12; entrants: 50 x 1500 / 1500 = 50.
    assert vintage.net_cost_per_output is not None
    assert vintage.net_cost_per_output.tolist() == [12.0, 50.0]
    sector = by_group(a, "sector")
    assert sector.group.tolist() == ["metals", "minerals"]
    assert sector.permits.tolist() == [1400.0, 700.0]
    assert sector.windfall is None and sector.net_cost_per_output is None
    region = by_group(a, "region")
    assert region.group.tolist() == ["east", "west"]
    assert region.permits.tolist() == [1633.0, 467.0]
    # Within the new entrants everybody has zero: no inequality.
    assert vintage.gini[1] == 0.0


def test_compare_side_by_side(market: Firms) -> None:
    c = compare(
        market,
        2100,
        {
            "grandfathering": {},
            "output-based": {
                "rule": "benchmarking",
                "activity": "current",
                "benchmarks": {"steel": 1.0, "cement": 0.7},
            },
            "equal_quantity": {},
        },
        price=50.0,
    )
    assert c.labels == ("grandfathering", "output-based", "equal_quantity")
    # Output-based: 1000, 500, 500, 700, 700 = 3400 > 2100: factor 2100 / 3400;
    # quotas 617.65, 308.82, 308.82, 432.35, 432.35 -> floors 2097; the 3 left go
    # to the largest remainders: s-old-2 and s-new (.82), then s-old-1 (.65).
    # Equal quantity: 4200 emitted, factor 0.5: 600, 300, 300, 450, 450.
    assert c.permits[:, 0].tolist() == [933, 467, 0, 700, 0]
    assert c.permits[:, 1].tolist() == [618, 309, 309, 432, 432]
    assert c.permits[:, 2].tolist() == [600, 300, 300, 450, 450]
    assert c.summary["grandfathering"]["free"] == 2100.0
    assert c.summary["equal_quantity"]["vintage_gap"] == pytest.approx(0.0)
    assert c.summary["grandfathering"]["vintage_gap"] > 0.7
    assert c.summary["output-based"]["new_entrant_net_cost_per_output"] == pytest.approx(
        50 * (1500 - 741) / 1500
    )
    text = str(c)
    assert text.splitlines()[0].split() == ["measure", *c.labels]
    assert "vintage_gap" in text


def test_frames() -> None:
    pd = pytest.importorskip("pandas")
    f = Firms(
        ["a", "b"],
        product="p",
        entry_year=[2000, 2021],
        base_years=[2020],
        emissions=[[10.0], [nan]],
        output=[[10.0], [nan]],
        current_output=[10.0, 5.0],
        current_emissions=[10.0, 5.0],
    )
    a = grandfathering(f, 8)
    frame = a.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame["permits"].tolist() == [8, 0]
    assert frame["new_entrant"].tolist() == [False, True]
    c = compare(f, 8, ["grandfathering", "equal_quantity"])
    assert c.to_frame()["equal_quantity"].tolist() == [5, 3]
    assert list(c.summary_frame().columns) == ["grandfathering", "equal_quantity"]
    assert by_group(a).to_frame()["vintage"].tolist() == ["incumbent", "new_entrant"]
