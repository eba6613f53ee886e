# ruff: noqa: RUF002 - Chinese document numbers are cited as published, with full-width brackets
"""Known answers: one hand-worked example per rule, and examples worked from
published documents (the EU ETS benchmark allocation with its cross-sectoral
correction factor, China's power-sector benchmarks and pre-allocation, the
Tianjin 2021 formulas). Every expected number is worked out in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from allocation import (
    Firms,
    benchmarking,
    china_power_benchmarks,
    equal_quantity,
    eu_correction_factor,
    eu_product_benchmarks,
    ex_post_adjustment,
    grandfathering,
    historical_intensity,
    hybrid,
    largest_remainder,
)
from auctions import Bids

nan = math.nan


@pytest.fixture
def three() -> Firms:
    """Two incumbents with gaps in 2018-2020 and one new entrant."""
    return Firms(
        ["A", "B", "C"],
        product=["clinker", "clinker", "lime"],
        entry_year=[1995, 2001, 2021],
        base_years=[2018, 2019, 2020],
        emissions=[[100.0, 120.0, nan], [200.0, 180.0, 190.0], [nan, nan, nan]],
        output=[[1000.0, 1200.0, nan], [500.0, 450.0, 475.0], [nan, nan, nan]],
        current_output=[1100.0, 480.0, 300.0],
        sector=["cement", "cement", "chemicals"],
        current_emissions=[115.0, 185.0, 60.0],
    )


# ------------------------------------------------------------ grandfathering


def test_grandfathering_by_hand(three: Firms) -> None:
    # Means: A (100 + 120) / 2 = 110, B (200 + 180 + 190) / 3 = 190; total 300.
    # Cap 600: A 600 * 110 / 300 = 220, B 380. C has no history: 0.
    a = grandfathering(three, 600)
    assert a.permits.tolist() == [220, 380, 0]
    assert a.correction_factor == pytest.approx(2.0)
    # Highest year: A 120, B 200; total 320: A 600 * 120 / 320 = 225, B 375.
    assert grandfathering(three, 600, statistic="max").permits.tolist() == [225, 375, 0]
    # Most recent year: A 120 (2019), B 190; total 310: A 232.26, B 367.74.
    # Floors 232 + 367 = 599; the last permit goes to the larger remainder (B).
    assert grandfathering(three, 600, statistic="last").permits.tolist() == [232, 368, 0]


def test_grandfathering_scaled_down_only(three: Firms) -> None:
    # Coefficient 0.9 and no scaling up: A 99, B 171 fit a cap of 600;
    # the 330 permits left are held by the regulator.
    a = grandfathering(three, 600, coefficient=0.9, scaling="down")
    assert a.permits.tolist() == [99, 171, 0]
    assert (a.reserved, a.correction_factor) == (330, 1.0)


# -------------------------------------------------------------- benchmarking


def test_benchmarking_with_a_correction_factor_by_hand(three: Firms) -> None:
    bm = {"clinker": 0.8, "lime": 1.0}
    # Historical activity (mean output): A 1100 -> 880, B 475 -> 380, C none -> 0.
    free = benchmarking(three, benchmarks=bm)
    assert free.permits.tolist() == [880, 380, 0]
    assert (free.cap, free.correction_factor) == (1260, 1.0)
    # Cap 1000: factor 1000 / 1260; quotas 698.41 and 301.59 -> 698 + 301 = 999,
    # the last permit to the larger remainder (B, .59).
    capped = benchmarking(three, 1000, benchmarks=bm)
    assert capped.permits.tolist() == [698, 302, 0]
    assert capped.correction_factor == pytest.approx(1000 / 1260)
    # Current activity: A 0.8 * 1100 = 880, B 0.8 * 480 = 384, C 1.0 * 300 = 300.
    current = benchmarking(three, 2000, benchmarks=bm, activity="current")
    assert current.permits.tolist() == [880, 384, 300]
    assert current.reserved == 2000 - 1564


def test_benchmarking_factors_by_hand(three: Firms) -> None:
    # Carbon-leakage exposure 0.3 for chemicals: C 1.0 * 300 * 0.3 = 90;
    # a unit correction of 1.05 for A: 0.8 * 1100 * 1.05 = 924.
    a = benchmarking(
        three,
        benchmarks={"clinker": 0.8, "lime": 1.0},
        activity="current",
        exposure_factor={"cement": 1.0, "chemicals": 0.3},
        unit_factor=[1.05, 1.0, 1.0],
    )
    assert a.permits.tolist() == [924, 384, 90]


# ------------------------------------------------------ historical intensity


def test_historical_intensity_by_hand(three: Firms) -> None:
    # Pooled intensities: A 220 / 2200 = 0.1, B 570 / 1425 = 0.4.
    # A 0.1 * 1100 * 0.98 = 107.8 -> 108; B 0.4 * 480 * 0.98 = 188.16 -> 188.
    # C takes the lime benchmark 0.3: 0.3 * 300 * 0.98 = 88.2 -> 88.
    a = historical_intensity(three, reduction_factor=0.98, benchmarks={"lime": 0.3})
    assert a.permits.tolist() == [108, 188, 88]
    # Or the mean intensity of its sector's incumbents; chemicals has none.
    with pytest.raises(ValueError, match="sector 'chemicals' has no incumbent"):
        historical_intensity(three, reduction_factor=0.98, new_entrant="sector_mean")
    cement = three.replace(sector="cement")
    # Cement incumbents pooled: (220 + 570) / (2200 + 1425) = 0.21793...
    # C: 0.217931 * 300 * 0.98 = 64.07 -> 64.
    b = historical_intensity(cement, reduction_factor=0.98, new_entrant="sector_mean")
    assert b.permits.tolist() == [108, 188, 64]


# ------------------------------------------------------------ equal quantity


def test_equal_quantity_by_hand(three: Firms) -> None:
    # Compliance-year emissions 115, 185, 60 (total 360), whatever the history.
    assert equal_quantity(three, None).permits.tolist() == [115, 185, 60]
    # Cap 300: factor 300 / 360; quotas 95.83, 154.17, 50 -> 95 + 154 + 50 = 299,
    # the last permit to A (remainder .83).
    assert equal_quantity(three, 300).permits.tolist() == [96, 154, 50]
    # A coefficient by sector: cement 0.8 (A 92, B 148), chemicals 1 (C 60).
    coef = {"cement": 0.8, "chemicals": 1.0}
    assert equal_quantity(three, None, coefficient=coef).permits.tolist() == [92, 148, 60]


# ------------------------------------------------ reserve, closures, leftover


@pytest.fixture
def entrants() -> Firms:
    """Three incumbents (I3 closed in 2021) and two new entrants."""
    return Firms(
        ["I1", "I2", "I3", "E1", "E2"],
        product="steel",
        entry_year=[1990, 1995, 2000, 2021, 2020],
        base_years=[2019, 2020],
        emissions=[[400.0, 400.0], [300.0, 300.0], [100.0, 100.0], [nan, nan], [nan, nan]],
        output=[[400.0, 400.0], [300.0, 300.0], [100.0, 100.0], [nan, nan], [nan, nan]],
        current_output=[400.0, 300.0, 100.0, 150.0, 200.0],
        closure_year=[None, None, 2021, None, None],
    )


def test_reserve_served_in_order_of_entry_with_closures_returned(entrants: Firms) -> None:
    # Cap 1000, reserve 20 % = 200, free budget 800. Benchmark 1 on current output:
    # I1 400, I2 300, I3 100 = 800, which fits. I3 is closed in 2021: its 100
    # return to the reserve (300). E2 entered first (2020): 200; E1 gets the
    # 100 left of its 150.
    a = benchmarking(
        entrants, 1000, benchmarks={"steel": 1.0}, activity="current", reserve_share=0.2
    )
    assert a.year == 2021
    assert a.permits.tolist() == [400, 300, 0, 100, 200]
    assert (a.returned, a.from_reserve, a.reserved, a.auctioned) == (100, 300, 0, 0)


def test_reserve_leftover_auctioned(entrants: Firms) -> None:
    # Reserve 50 % = 500, budget 500 < 800: factor 0.625. I1 250, I2 187.5,
    # I3 62.5: floors 499, the tie between I2 and I3 (.5) goes to I2 by id.
    # I3 closed: 62 return; pool 562. E2 200 * 0.625 = 125, E1 150 * 0.625 =
    # 93.75 -> 94. Served 219; 343 left go to auction.
    a = benchmarking(
        entrants,
        1000,
        benchmarks={"steel": 1.0},
        activity="current",
        reserve_share=0.5,
        leftover="auction",
    )
    assert a.permits.tolist() == [250, 188, 0, 94, 125]
    assert (a.returned, a.from_reserve, a.reserved, a.auctioned) == (62, 219, 0, 343)
    assert a.free + a.auctioned == 1000


def test_leftover_cancelled(entrants: Firms) -> None:
    # No reserve: the entrants are in the main allocation. Entitlements 400, 300,
    # 100, 150, 200 = 1150 > 1000: factor 1000 / 1150. Quotas 347.83, 260.87,
    # 86.96, 130.43, 173.91: floors 996; the 4 left go to the largest remainders
    # I3 (.96), E2 (.91), I2 (.87), I1 (.83). I3 is closed: its 87 are not
    # given; with no reserve they are held, and cancelled.
    a = benchmarking(
        entrants, 1000, benchmarks={"steel": 1.0}, activity="current", leftover="cancel"
    )
    assert a.permits.tolist() == [348, 261, 0, 130, 174]
    assert (a.returned, a.reserved, a.cancelled, a.from_reserve) == (87, 87, 87, 0)
    assert a.free + a.reserved == 1000


# -------------------------------------------------------------------- hybrid


def test_hybrid_by_hand(three: Firms) -> None:
    # 40 % of 600 = 240 auctioned; grandfathering shares 360 as 110 : 190:
    # A 132, B 228. Bids: C 100 at 30, A 100 at 25, B 100 at 20, reserve 22.
    # Supply 240: C 100 and A 100 fill 200; B's bid is below the reserve, so 40
    # are unsold. Last accepted bid: 25; revenue 200 * 25.
    bids = Bids(bidder=["C", "A", "B"], price=[30.0, 25.0, 20.0], quantity=[100, 100, 100])
    a = hybrid(
        "grandfathering",
        three,
        600,
        auction_share=0.4,
        bids=bids,
        auction_options={"reserve_price": 22.0},
    )
    assert a.permits.tolist() == [132, 228, 0]
    assert a.auctioned == 240
    assert a.auction is not None
    assert a.auction.awarded.tolist() == [100, 100, 0]
    assert (a.auction.clearing_price, a.auction.unsold, a.revenue) == (25.0, 40, 5000.0)


# ---------------------------------------------------------------- ex post


def test_ex_post_adjustment_by_hand(three: Firms) -> None:
    # Declared emissions 115, 185, 60 issued in full in advance; verified 100,
    # 200, 60: A returns 15, B receives 15.
    verified = three.replace(current_emissions=[100.0, 200.0, 60.0])
    adj = ex_post_adjustment("equal_quantity", three, verified)
    assert adj.advance.tolist() == [115, 185, 60]
    assert adj.adjustment.tolist() == [-15, 15, 0]
    assert (adj.issued, adj.recovered) == (15, 15)


# ---------------------------------------------------------------- rounding


def test_largest_remainder_by_hand() -> None:
    # 20 seats for populations 6, 5, 4 (quotas 8, 6.67, 5.33): floors 8 + 6 + 5
    # = 19, the last seat to the largest remainder (.67).
    assert largest_remainder([6, 5, 4], 20).tolist() == [8, 7, 5]


def test_largest_remainder_shows_the_alabama_paradox() -> None:
    # The textbook example (Balinski and Young 2001): populations 6, 6, 2.
    # 10 seats: quotas 4.29, 4.29, 1.43 -> floors 9, the 10th seat to C (.43).
    # 11 seats: quotas 4.71, 4.71, 1.57 -> floors 9, seats to A and B (.71):
    # C loses a seat although the house grew. Hamilton's method does this;
    # it is the price of meeting the total exactly with each share within one.
    assert largest_remainder([6, 6, 2], 10).tolist() == [4, 4, 2]
    assert largest_remainder([6, 6, 2], 11).tolist() == [5, 5, 1]


# ------------------------------------------------- worked from publications


def test_eu_clinker_allocation_with_the_2013_correction_factor() -> None:
    """Decision 2011/278/EU (grey clinker 0.766) and Decision 2013/448/EU (CSCF 2013).

    The Commission's press release of 5 September 2013 gives the correction
    as 5.73 % in 2013 rising to 17.56 % in 2020; CEMBUREAU's release of
    December 2010 gives the benchmark as 766 kg CO2 per tonne of grey clinker.
    """
    benchmark = eu_product_benchmarks()["grey cement clinker"]
    factor_2013 = eu_correction_factor(2013)
    assert benchmark == 0.766
    assert round(1 - factor_2013, 4) == 0.0573
    assert round(1 - eu_correction_factor(2020), 4) == 0.1756
    assert eu_correction_factor(2021) == 1.0
    # A kiln exposed to carbon leakage (factor 1) with a historical activity level
    # of 1,000,000 t: 0.766 * 1,000,000 = 766,000; x 0.94272151 = 722,124.68,
    # rounded: 722,125.
    kiln = Firms(
        ["kiln"],
        product="grey cement clinker",
        entry_year=1980,
        base_years=[2005, 2006, 2007, 2008],
        emissions=[[800_000.0] * 4],
        output=[[1_000_000.0] * 4],
        current_output=[1_000_000.0],
    )
    a = benchmarking(
        kiln,
        benchmarks={"grey cement clinker": benchmark},
        statistic="median",
        correction_factor=factor_2013,
    )
    assert a.permits.tolist() == [722_125]
    # In 2020 the same kiln gets 766,000 * 0.82438204 = 631,476.64 -> 631,477.
    b = benchmarking(
        kiln,
        benchmarks={"grey cement clinker": benchmark},
        statistic="median",
        correction_factor=eu_correction_factor(2020),
    )
    assert b.permits.tolist() == [631_477]


def test_china_power_units_with_their_2019_2020_benchmarks() -> None:
    """国环规气候〔2020〕3号: benchmarks 0.877 / 0.979 / 1.146 / 0.392 tCO2/MWh."""
    electricity = china_power_benchmarks(2020)
    heat = china_power_benchmarks(2020, output="heat")
    assert electricity == {
        "coal_300mw_plus": 0.877,
        "coal_below_300mw": 0.979,
        "coal_unconventional": 1.146,
        "gas": 0.392,
    }
    assert heat["coal_300mw_plus"] == 0.126
    assert heat["gas"] == 0.059
    # Four units supplying 3,000,000 / 1,500,000 / 800,000 / 1,000,000 MWh:
    # 0.877 * 3e6 = 2,631,000; 0.979 * 1.5e6 = 1,468,500; 1.146 * 8e5 = 916,800;
    # 0.392 * 1e6 = 392,000. No cap: the total is the bottom-up sum.
    units = Firms(
        ["u1", "u2", "u3", "u4"],
        product=list(electricity),
        entry_year=2005,
        base_years=[2018],
        emissions=[[1.0]] * 4,
        output=[[1.0]] * 4,
        current_output=[3_000_000.0, 1_500_000.0, 800_000.0, 1_000_000.0],
    )
    a = benchmarking(units, benchmarks=electricity, activity="current")
    assert a.permits.tolist() == [2_631_000, 1_468_500, 916_800, 392_000]
    assert a.cap == 2_631_000 + 1_468_500 + 916_800 + 392_000
    # The heat a combined heat and power unit supplies is a second row:
    # 2,000,000 GJ x 0.126 = 252,000.
    chp_heat = Firms(
        ["u1-heat"],
        product="coal_300mw_plus",
        entry_year=2005,
        base_years=[2018],
        emissions=[[1.0]],
        output=[[1.0]],
        current_output=[2_000_000.0],
    )
    assert benchmarking(chp_heat, benchmarks=heat, activity="current").permits.tolist() == [
        252_000
    ]


def test_china_pre_allocation_at_70_percent_of_2018_output() -> None:
    """ICAP (Nov. 2020): 70 % of 2018 output x benchmark first, adjusted to actual output."""
    # 2018 supply 3,000,000 MWh: 0.7 x 3,000,000 x 0.877 = 1,841,700 in advance.
    # Actual 2019 supply 2,500,000 MWh: 2,192,500 in all, so 350,800 more.
    unit = Firms(
        ["u1"],
        product="coal_300mw_plus",
        entry_year=2005,
        base_years=[2018],
        emissions=[[2_600_000.0]],
        output=[[3_000_000.0]],
        current_output=[3_000_000.0],
    )
    adj = ex_post_adjustment(
        "benchmarking",
        unit,
        unit.replace(current_output=[2_500_000.0]),
        advance_share=0.7,
        benchmarks=china_power_benchmarks(2019),
        activity="current",
    )
    assert adj.advance.tolist() == [1_841_700]
    assert adj.final.permits.tolist() == [2_192_500]
    assert adj.adjustment.tolist() == [350_800]


def test_seventy_percent_in_advance_rounds_the_exact_half_up() -> None:
    # 70 % of 45 permits is 31.5, rounded half up to 32; and of 44, 30.8 -> 31.
    # In float64 45 x 0.7 is 31.499999999999996, which had been rounded to 31.
    units = Firms(["a", "b"], product="cement", entry_year=2005, base_years=[2018],
                  emissions=[[45.0], [44.0]], output=[[1.0], [1.0]],
                  current_output=[1.0, 1.0], current_emissions=[45.0, 44.0])
    adj = ex_post_adjustment("equal_quantity", units, units, 89, advance_share=0.7)
    assert adj.forecast.permits.tolist() == [45, 44]
    assert adj.advance.tolist() == [32, 31]
    assert adj.adjustment.tolist() == [13, 13]


def test_tianjin_2021_historical_emission_and_intensity_formulas() -> None:
    """Tianjin's 2021 notice: quota = base-year emissions x 0.98 (base year: the
    higher of 2019 and 2020), and quota = 2021 output x base-year intensity x 0.98
    (the higher-intensity year)."""
    plant = Firms(
        ["p"],
        product="paper",
        entry_year=2000,
        base_years=[2019, 2020],
        emissions=[[50_000.0, 46_000.0]],
        output=[[100_000.0, 80_000.0]],
        current_output=[90_000.0],
    )
    # Historical emission method: max(50,000, 46,000) x 0.98 = 49,000.
    a = grandfathering(plant, None, statistic="max", coefficient=0.98)
    assert a.permits.tolist() == [49_000]
    # Historical intensity: 2019 0.5, 2020 0.575 -> 0.575 x 90,000 x 0.98 = 50,715.
    b = historical_intensity(plant, reduction_factor=0.98, statistic="max")
    assert b.permits.tolist() == [50_715]


def test_chongqing_government_reserve_of_five_percent() -> None:
    """渝环办〔2024〕162号: units' quotas (summed bottom-up) are 95 % of the total,
    a 5 % government reserve is added and cancelled if unused."""
    units = Firms(
        ["u1", "u2"],
        product="cement",
        entry_year=2000,
        base_years=[2022],
        emissions=[[1_000.0], [900.0]],
        output=[[1.0], [1.0]],
        current_output=[1.0, 1.0],
        current_emissions=[1_140.0, 760.0],
    )
    bottom_up = equal_quantity(units, None)
    assert bottom_up.cap == 1_900
    total = round(bottom_up.cap / 0.95)  # 2,000
    a = equal_quantity(units, total, reserve_share=0.05, leftover="cancel")
    assert a.permits.tolist() == [1_140, 760]
    assert (a.reserved, a.cancelled) == (100, 100)
    assert np.isclose(a.reserved / a.cap, 0.05)
