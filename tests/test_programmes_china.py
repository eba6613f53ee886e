
"""Chinese presets pinned against the pilots' notices and the national plan, by hand.

Guangdong (Guangzhou exchange notices of 2014-2016), Shanghai (notices of
2017-2024), Hubei (the 2014 fixed-price sale) and the national ETS
power-sector allocation (benchmark x supply x correction factors).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from allocation import Firms, Reserve
from allocation.programmes import china_national_ets as national
from allocation.programmes import guangdong as guangdong_reserve
from allocation.programmes import hubei
from auctions import Bids, conserves_permits, is_budget_balanced
from auctions.rules import guangdong, shanghai

# ------------------------------------------------------------ Guangdong


def test_guangdong_undersubscribed_auction_filled_at_the_lowest_bid():
    # 2014 notice, 六: total bids not greater than the volume: every bid is
    # filled at the lowest bid price (25.50), above the 25 yuan floor.
    bids = Bids(bidder=["a", "b", "c"], price=[27.00, 26.00, 25.50],
                quantity=[300_000, 200_000, 100_000])
    r = guangdong.auction(bids, 2_000_000, reserve_price=25.0)
    assert r.clearing_price == 25.5
    assert r.awarded.tolist() == [300_000, 200_000, 100_000]
    assert r.revenue == pytest.approx(600_000 * 25.5)
    assert r.unsold == 1_400_000


def test_guangdong_price_then_time_priority_lowest_winning_bid():
    # Oversubscribed: sorted by price, then by time; the price is the lowest
    # successful bid. b (time 2) and c (time 1) tie at 28: c first.
    bids = Bids(bidder=["a", "b", "c", "d"], price=[30.0, 28.0, 28.0, 27.0],
                quantity=[100_000, 100_000, 100_000, 100_000], time=[4.0, 2.0, 1.0, 3.0])
    r = guangdong.auction(bids, 250_000, reserve_price=16.09)
    assert r.clearing_price == 28.0
    assert r.awarded.tolist() == [100_000, 50_000, 100_000, 0]


def test_guangdong_bids_below_the_policy_reserve_price_are_not_effective():
    bids = Bids(bidder=["a", "b"], price=[17.0, 16.0], quantity=[100_000, 100_000])
    r = guangdong.auction(bids, 500_000, reserve_price=16.09)
    assert r.awarded.tolist() == [100_000, 0]
    assert r.clearing_price == 17.0


def test_guangdong_half_the_volume_per_bidder_and_1000_tonne_bids():
    # 2015 notice, 五: cumulative bids at most 50 % of the volume; each bid
    # at least 1,000 tonnes.
    bids = Bids(bidder=["a", "a", "b"], price=[30.0, 29.0, 25.0],
                quantity=[400_000, 200_000, 600_000])
    r = guangdong.auction(bids, 1_000_000, reserve_price=20.0)
    assert r.by_bidder()["a"].awarded == 500_000
    assert r.awarded.tolist() == [400_000, 100_000, 500_000]
    with pytest.raises(ValueError, match="quantity must be >= 1000"):
        guangdong.auction(Bids(bidder=["a"], price=[30.0], quantity=[999]), 10_000,
                          reserve_price=20.0)


def test_guangdong_policy_reserve_price_is_the_weighted_average():
    # (15.50 x 40,000 + 16.20 x 100,000 + 16.40 x 60,000) / 200,000 = 16.12.
    assert guangdong.policy_reserve_price([15.50, 16.20, 16.40],
                                          [40_000, 100_000, 60_000]) == 16.12


def test_guangdong_unsold_allowances_stay_in_the_adjustment_reserve():
    reserve = Reserve(permits=5_000_000, circulation=0)
    bids = Bids(bidder=["a", "b"], price=[27.0, 25.5], quantity=[300_000, 200_000])
    record = guangdong_reserve.reserve_auction(reserve, bids, 2_000_000, reserve_price=25.0)
    assert record.permits == -500_000
    assert reserve.permits == 4_500_000 and reserve.circulation == 500_000
    assert reserve.cash_cents == 500_000 * 2550
    assert reserve.is_balanced()


# ------------------------------------------------------------ Shanghai


def test_shanghai_floor_is_1_2_times_the_average_at_most_42():
    # 2017, 2018 notices: 1.2 x weighted average, not above 42 yuan.
    assert shanghai.reserve_price([30.0, 36.0], [100, 200]) == 40.8  # 1.2 x 34.00
    assert shanghai.reserve_price([36.0, 38.0], [100, 100]) == 42.0  # 1.2 x 37 = 44.40
    # 2021, 2023 notices: the average itself.
    assert shanghai.reserve_price([36.0, 38.0], [100, 100], multiplier=1.0, cap=None) == 37.0


def test_shanghai_lowest_bid_within_the_volume_is_the_uniform_price():
    bids = Bids(bidder=["u1", "u2", "u3"], price=[45.0, 43.0, 43.0],
                quantity=[60_000, 60_000, 60_000], time=[1.0, 3.0, 2.0])
    r = shanghai.auction(bids, 100_000, reserve_price=42.0, covered={"u1", "u2", "u3"})
    assert r.clearing_price == 43.0
    assert r.awarded.tolist() == [60_000, 0, 40_000]  # u3 bid before u2


def test_shanghai_compliance_only_auction_refuses_other_bidders():
    bids = Bids(bidder=["u1", "fund"], price=[45.0, 44.0], quantity=[10_000, 10_000])
    with pytest.raises(ValueError, match="'fund' is not a covered unit"):
        shanghai.auction(bids, 100_000, reserve_price=40.0, covered={"u1"})


def test_shanghai_caps_by_type():
    # 2023 notice, 五: 100,000 t per covered unit, 50,000 t per investor.
    bids = Bids(bidder=["u1", "fund"], price=[45.0, 44.0], quantity=[120_000, 80_000])
    r = shanghai.auction(bids, 500_000, reserve_price=40.0,
                         entity_types={"u1": "covered", "fund": "investor"})
    assert r.awarded.tolist() == [100_000, 50_000]
    assert r.clearing_price == 44.0


# ------------------------------------------------------------ Hubei


def test_hubei_fixed_price_sale_to_covered_enterprises():
    # 2 million tonnes at 20 yuan; requests of 1.5 and 1.0 million, pro rata:
    # 1.2 and 0.8 million.
    bids = Bids(bidder=["steel", "cement"], price=[20.0, 25.0],
                quantity=[1_500_000, 1_000_000])
    r = hubei.sale(bids, covered={"steel", "cement"})
    assert r.awarded.tolist() == [1_200_000, 800_000]
    assert r.payments.tolist() == [24_000_000.0, 16_000_000.0]
    assert conserves_permits(r) and is_budget_balanced(r)
    with pytest.raises(ValueError, match="not eligible"):
        hubei.sale(bids, covered={"steel"})


def test_hubei_sale_booked_on_the_reserve():
    reserve = Reserve(permits=26_000_000)
    bids = Bids(bidder=["steel"], price=[20.0], quantity=[500_000])
    record = hubei.reserve_sale(reserve, bids, covered={"steel"})
    assert record.cash_cents == 500_000 * 2000
    assert reserve.permits == 25_500_000 and reserve.is_balanced()


# ------------------------------------------------------------ national ETS, power


def test_correction_factors_by_hand():
    # Water-cooled coal CHP, heat ratio 0.3: 1 - 0.22 x 0.3 = 0.934.
    # Air-cooled condensing coal at 78 % load: 1.05 x (1.007 + 0.0016 x 2) = 1.05 x 1.0102.
    # Condensing coal at 70 %: 1.015^(16 - 14) = 1.030225; at 90 %: 1.
    # Gas, heat ratio 0.2, air-cooled (no cooling factor for gas): 1 - 0.6 x 0.2 = 0.88.
    f = national.correction_factor(
        ["coal_300mw_plus", "coal_300mw_plus", "coal_below_300mw", "coal_300mw_plus", "gas"],
        cooling=["water", "air", "water", "water", "air"],
        heat_ratio=[0.3, 0.0, 0.0, 0.0, 0.2], load_factor=[0.5, 0.78, 0.70, 0.90, 0.4])
    np.testing.assert_allclose(f, [0.934, 1.05 * 1.0102, 1.030225, 1.0, 0.88], rtol=1e-12)


def test_load_factor_pieces_join_at_the_thresholds():
    units = ["coal_300mw_plus"] * 3
    f = national.correction_factor(units, cooling="water", heat_ratio=0.0,
                                   load_factor=[0.85, 0.80, 0.75])
    np.testing.assert_allclose(f, [1.0, 1.007, 1.015], rtol=1e-12)


def test_power_allocation_by_hand():
    # 2020 benchmarks: coal >= 300 MW 0.877 t/MWh and 0.126 t/GJ; gas 0.392 and 0.059.
    # Coal CHP: 1,000,000 MWh x 0.877 x 0.934 = 819,118; 2,000,000 GJ x 0.126 = 252,000.
    # Gas CHP: 500,000 MWh x 0.392 x 0.88 = 172,480; 100,000 GJ x 0.059 = 5,900.
    nan = math.nan
    units = Firms(["coal", "gas"], product=["coal_300mw_plus", "gas"], entry_year=2005,
                  base_years=[2019], emissions=[[nan], [nan]], output=[[nan], [nan]],
                  current_output=[1_000_000.0, 500_000.0])
    a = national.allocate(units, 2020, heat_supplied=[2_000_000.0, 100_000.0],
                          cooling=["water", "air"], heat_ratio=[0.3, 0.2],
                          load_factor=[0.6, 0.6])
    assert a.electricity.permits.tolist() == [819_118, 172_480]
    assert a.heat.permits.tolist() == [252_000, 5_900]
    assert a.permits.tolist() == [1_071_118, 178_380]
    assert a.total == 1_249_498


def test_surrender_obligation_capped_at_20_percent_and_gas_at_allocation():
    out = national.surrender_obligation([1000.0, 1000.0, 1000.0, 1000.0],
                                        [700, 850, 1200, 600],
                                        ["coal_300mw_plus", "coal_unconventional",
                                         "coal_below_300mw", "gas"])
    assert out.tolist() == [900.0, 1000.0, 1000.0, 600.0]
