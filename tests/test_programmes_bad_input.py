"""Bad input to the programme presets fails early, naming the argument and the value."""

from __future__ import annotations

from dataclasses import replace

import pytest

from allocation.programmes import california_quebec as reserve_rules
from allocation.programmes import china_national_ets as national
from allocation.programmes import eu_ets as eu_programme
from allocation.programmes import rggi
from auctions import Bids
from auctions.rules import (
    AuctionRules,
    california_quebec,
    carry_over,
    escalate,
    guangdong,
    limits_by_type,
    shanghai,
    trim_to_limits,
    uk_ets,
    weighted_average_price,
)
from auctions.rules.calendar import CarryoverRule

BIDS = Bids(bidder=["a", "b"], price=[30.0, 28.0], quantity=[1000, 1000])


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"price_rule": "highest"}, "price_rule must be one of"),
        ({"tie_break": "coin"}, "tie_break must be one of"),
        ({"on_undersubscribed": "keep"}, "on_undersubscribed must be one of"),
        ({"lot_size": 0}, "lot_size must be >= 1"),
        ({"reserve_price": -1.0}, "reserve_price must be >= 0"),
        ({"bidder_limit": 1.5}, r"bidder_limit must be in \(0, 1\]"),
        ({"min_bid_quantity": 0}, "min_bid_quantity must be >= 1"),
        ({"price_decimals": -1}, "price_decimals must be >= 0"),
    ],
)
def test_auction_rules_reject_bad_fields(fields, match):
    base = {"name": "x", "price_rule": "last_accepted", "tie_break": "random"}
    with pytest.raises(ValueError, match=match):
        AuctionRules(**{**base, **fields})


def test_rules_replace_is_validated():
    with pytest.raises(ValueError, match="lot_size must be >= 1"):
        replace(uk_ets.RULES, lot_size=0)


def test_clear_needs_bids():
    with pytest.raises(TypeError, match="bids must be a Bids table"):
        uk_ets.auction([("a", 30.0, 500)], 500)  # type: ignore[arg-type]


def test_prices_in_whole_cents():
    bids = Bids(bidder=["a"], price=[30.001], quantity=[1000])
    with pytest.raises(ValueError, match=r"price must have at most 2 decimals .* 30\.001"):
        california_quebec.auction(bids, 1000, reserve_price=10.0)


def test_minimum_bid_quantity_names_the_index():
    bids = Bids(bidder=["a", "b"], price=[30.0, 29.0], quantity=[5000, 500])
    with pytest.raises(ValueError, match=r"quantity must be >= 1000 .* \(got 500 at index 1\)"):
        guangdong.auction(bids, 10_000, reserve_price=20.0)


def test_limits_are_whole_numbers_and_quantities_whole_lots():
    with pytest.raises(ValueError, match=r"limits\['a'\] must be >= 0 \(got -1\)"):
        trim_to_limits(BIDS, {"a": -1})
    with pytest.raises(TypeError, match=r"limits\['a'\] must be a whole number"):
        trim_to_limits(BIDS, {"a": 1.5})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="limits must be a mapping"):
        trim_to_limits(BIDS, [("a", 1)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="quantity must be whole multiples of lot_size=300"):
        trim_to_limits(BIDS, {}, lot_size=300)


def test_limits_by_type_names_the_unknown_type():
    with pytest.raises(ValueError, match=r"entity_types\['x'\] must be one of .* 'broker'"):
        limits_by_type({"x": "broker"}, shares={"emitter": 0.25}, supply=1000)
    with pytest.raises(ValueError, match="exactly one of shares and quantities"):
        limits_by_type({"x": "emitter"})
    with pytest.raises(ValueError, match="supply is needed"):
        limits_by_type({"x": "emitter"}, shares={"emitter": 0.25})
    with pytest.raises(ValueError, match=r"shares\['emitter'\] must be in \(0, 1\]"):
        limits_by_type({"x": "emitter"}, shares={"emitter": 1.25}, supply=1000)


def test_carry_over_bad_arguments():
    with pytest.raises(ValueError, match="volume must be whole multiples of lot_size=500"):
        carry_over(700, [1000], lot_size=500)
    with pytest.raises(ValueError, match="planned must list at least one auction"):
        carry_over(500, [], lot_size=500)
    with pytest.raises(ValueError, match=r"cap must be >= 1 \(got 0.9\)"):
        carry_over(500, [1000], cap=0.9)
    with pytest.raises(ValueError, match="over must be >= 1"):
        CarryoverRule(over=0)
    with pytest.raises(ValueError, match="volume must be >= 0"):
        carry_over(-500, [1000])


def test_schedules_name_the_missing_inflation_year():
    with pytest.raises(ValueError, match=r"inflation must give the change .* \(missing 2014\)"):
        california_quebec.reserve_price(2015, {2013: 0.02, 2015: 0.02})
    with pytest.raises(ValueError, match=r"year must be >= 2012 \(got 2011\)"):
        california_quebec.reserve_price(2011, {})
    with pytest.raises(ValueError, match="year must be >= 2021"):
        reserve_rules.price_ceiling(2020, {})
    with pytest.raises(ValueError, match="year must be >= 2013"):
        reserve_rules.tier_prices(2012, {})


def test_tie_shares_bad_arguments():
    with pytest.raises(ValueError, match="remaining must be <= the tied quantity 3000"):
        california_quebec.tie_shares({"a": 3000}, 4000)
    with pytest.raises(ValueError, match=r"tied\['a'\] must be a whole multiple of lot_size=1000"):
        california_quebec.tie_shares({"a": 1500}, 1000)


def test_rggi_bad_arguments():
    with pytest.raises(ValueError, match="ecr_quantity must be 0 in 2027"):
        rggi.auction(BIDS, 10_000, 2027, ecr_quantity=1000)
    with pytest.raises(ValueError, match="ecr_quantity must be 0 in 2019"):
        rggi.supply_curve(10_000, 2019, ecr_quantity=1000)
    with pytest.raises(ValueError, match="ccr_quantity must give 2 tier quantities in 2027"):
        rggi.supply_curve(10_000, 2027, ccr_quantity=(1000,))
    with pytest.raises(ValueError, match=r"ccr_quantity\[1\] must be >= 0"):
        rggi.supply_curve(10_000, 2028, ccr_quantity=(1000, -1))
    with pytest.raises(ValueError, match="year must be from 2014"):
        rggi.reserve_price(2013)


def test_uk_and_shanghai_bad_arguments():
    with pytest.raises(ValueError, match="significantly_below must be >= 0"):
        uk_ets.auction(Bids(bidder=["a"], price=[30.0], quantity=[500]), 500,
                       significantly_below=-1.0)
    with pytest.raises(ValueError, match="bidder 'b' is not a covered unit"):
        shanghai.auction(BIDS, 2000, reserve_price=20.0, covered={"a"})


def test_price_helpers_bad_arguments():
    with pytest.raises(ValueError, match="volumes must not all be zero"):
        weighted_average_price([30.0], [0])
    with pytest.raises(ValueError, match="lengths differ"):
        weighted_average_price([30.0, 31.0], [1])
    with pytest.raises(ValueError, match="start must be >= 0"):
        escalate(-1.0, [0.05])
    with pytest.raises(ValueError, match=r"increments\[1\] must be > -1"):
        escalate(10.0, [0.05, -1.0])
    with pytest.raises(TypeError, match="start must be a number"):
        escalate("ten", [0.05])


def test_eu_volume_smaller_than_the_intake():
    with pytest.raises(ValueError, match="planned must be at least the intake"):
        eu_programme.auction_volume(100_000_000, 1_000_000_000, 2019, held=0)


def test_power_sector_bad_arguments():
    kinds = ["coal_300mw_plus"]
    with pytest.raises(ValueError, match=r"unit_type\[0\] must be one of"):
        national.correction_factor(["oil"], cooling=["water"], heat_ratio=[0.0],
                                   load_factor=[0.9])
    with pytest.raises(ValueError, match=r"cooling\[0\] must be one of 'water', 'air'"):
        national.correction_factor(kinds, cooling=["dry"], heat_ratio=[0.0], load_factor=[0.9])
    with pytest.raises(ValueError, match=r"heat_ratio must be finite, >= 0 and <= 1.0"):
        national.correction_factor(kinds, cooling=["air"], heat_ratio=[1.2], load_factor=[0.9])
    with pytest.raises(ValueError, match=r"load_factor must be finite"):
        national.correction_factor(kinds, cooling=["air"], heat_ratio=[0.0],
                                   load_factor=[float("nan")])
    with pytest.raises(ValueError, match=r"verified_emissions must be finite, >= 0"):
        national.surrender_obligation([-1.0], [0], kinds)
