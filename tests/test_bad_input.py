"""Bad input fails loudly, early, and names the argument and the value."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from auctions import (
    FORMATS,
    Bids,
    Offers,
    clear,
    double_auction,
    get_format,
    pay_as_bid,
    reverse_auction,
    uniform_price,
    vickrey,
)

GOOD: dict[str, Any] = {"bidder": ["a", "b"], "price": [10.0, 8.0], "quantity": [5, 5]}


@pytest.mark.parametrize(
    ("field", "value", "error", "match"),
    [
        ("price", [math.nan, 8.0], ValueError, r"price must be finite \(got nan at index 0\)"),
        ("price", [10.0, math.inf], ValueError, r"price must be finite \(got inf at index 1\)"),
        ("price", [10.0, -1.0], ValueError, r"price must be >= 0 \(got -1.0 at index 1\)"),
        ("price", ["x", "y"], TypeError, r"price must hold real numbers"),
        ("price", [10.0], ValueError, r"lengths differ: bidder has 2, price has 1"),
        ("price", [[1.0, 2.0]], ValueError, r"price must be one-dimensional"),
        ("quantity", [5, -3], ValueError, r"quantity must be >= 0 \(got -3 at index 1\)"),
        ("quantity", [5, 2.5], ValueError, r"quantity must be whole numbers \(got 2.5"),
        ("quantity", [5, math.nan], ValueError, r"quantity must be whole numbers \(got nan"),
        ("quantity", [True, False], TypeError, r"quantity must hold whole numbers"),
        ("quantity", [5, 5, 5], ValueError, r"lengths differ"),
        ("bidder", [], ValueError, r"bidder must not be empty"),
        ("bidder", [["unhashable"], "b"], TypeError, r"bidder must hold hashable labels"),
        ("bidder", "ab", TypeError, r"bidder must be a sequence of labels"),
        ("price", [1e308, 8e307], ValueError,
         r"price x quantity must have a finite total \(got a total value beyond 1.798e\+308: "
         r"largest price 1e\+308, 10 permits\)"),
        ("quantity", [2**62, 2**62], ValueError,
         r"quantity must total less than 2\*\*63 permits \(got 9223372036854775808\)"),
    ],
)
def test_bad_bids(field, value, error, match):
    with pytest.raises(error, match=match):
        Bids(**{**GOOD, field: value})


def test_empty_bids():
    with pytest.raises(ValueError, match="must not be empty"):
        Bids(bidder=[], price=[], quantity=[])
    with pytest.raises(ValueError, match="records must not be empty"):
        Bids.from_records([])


def test_bad_records_and_frames():
    with pytest.raises(ValueError, match=r"records\[1\] must be \(bidder, price, quantity\)"):
        Bids.from_records([("a", 1.0, 2), ("b", 1.0)])
    with pytest.raises(ValueError, match=r"records\[0\] lacks quantity"):
        Bids.from_records([{"bidder": "a", "price": 1.0}])
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="frame has no column 'firm'"):
        Bids.from_frame(pd.DataFrame(GOOD), bidder="firm")


@pytest.mark.parametrize(
    ("field", "value", "error", "match"),
    [
        ("price", [math.nan], ValueError, r"price must be finite"),
        ("quantity", [-1], ValueError, r"quantity must be >= 0 \(got -1 at index 0\)"),
        ("quantity", [1.5], ValueError, r"quantity must be whole numbers"),
        ("quantity", [1, 2], ValueError, r"lengths differ"),
        ("quantity", [2**62], ValueError, r"price x quantity must have a finite total"),
    ],
)
def test_bad_offers(field, value, error, match):
    with pytest.raises(error, match=match):
        Offers(**{"price": [1e292], "quantity": [1], field: value})


def test_unsigned_quantities_beyond_int64_are_named_not_wrapped():
    # 2**64 - 1 as uint64 had been cast to -1 and reported as "got -1".
    with pytest.raises(ValueError, match=r"quantity is too large for 64-bit integers \(got "
                                         r"18446744073709551615 at index 1\)"):
        Bids(bidder=["a", "b"], price=[1.0, 2.0],
             quantity=np.array([1, 2**64 - 1], dtype=np.uint64))


def test_totals_must_fit_in_int64():
    # One permit short of 2**63 is a valid table whose total is exact; one more is
    # refused (it had wrapped to -2**63).
    assert Offers(price=[1.0, 2.0], quantity=[2**62, 2**62 - 1]).total == 2**63 - 1
    with pytest.raises(ValueError, match=r"quantity must total less than 2\*\*63 permits"):
        Offers(price=[1.0, 2.0], quantity=[2**62, 2**62])


def test_the_largest_finite_value_is_accepted_and_paid_in_full():
    # Two bids worth 8.9e307 each: their total, 1.78e308, is still finite, and
    # so is every payment and the revenue.
    bids = Bids(bidder=["a", "b"], price=[8.9e307, 8.9e307], quantity=[1, 1])
    for fn in (uniform_price, pay_as_bid, vickrey):
        r = fn(bids, 2, rng=0)
        assert math.isfinite(r.revenue)
        assert r.revenue == math.fsum(r.payments.tolist())


BIDS = Bids(**GOOD)


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize(
    ("supply", "options", "error", "match"),
    [
        (-3, {}, ValueError, r"supply must be >= 0 \(got -3\)"),
        (2.5, {}, TypeError, r"supply must be a whole number \(got 2.5\)"),
        ("10", {}, TypeError, r"supply must be a whole number \(got '10'\)"),
        (10, {"reserve_price": -1.0}, ValueError, r"reserve_price must be >= 0 \(got -1.0\)"),
        (10, {"reserve_price": math.nan}, ValueError, r"reserve_price must be finite \(got nan\)"),
        (10, {"price_rule": "second"}, ValueError,
         r"price_rule must be one of 'last_accepted', 'first_rejected' \(got 'second'\)"),
        (10, {"tie_break": "coin"}, ValueError, r"tie_break must be one of .* \(got 'coin'\)"),
        (10, {"ration_by": "firm"}, ValueError,
         r"ration_by must be one of 'bid', 'bidder' \(got 'firm'\)"),
        (10, {"on_undersubscribed": "drop"}, ValueError,
         r"on_undersubscribed must be one of 'sell', 'cancel' \(got 'drop'\)"),
        (10, {"lot_size": 0}, ValueError, r"lot_size must be >= 1 \(got 0\)"),
        (10, {"lot_size": 2**63}, ValueError, r"lot_size must be below 2\*\*63 \(got 9223"),
        (2**63, {}, ValueError, r"supply must be below 2\*\*63 \(got 9223372036854775808\)"),
        (10, {"lot_size": 1.5}, TypeError, r"lot_size must be a whole number \(got 1.5\)"),
        (10, {"lot_size": 3}, ValueError,
         r"quantity must be whole multiples of lot_size=3 \(got 5 at index 0\)"),
        (12, {"lot_size": 5}, ValueError,
         r"supply must be whole multiples of lot_size=5 \(got 12 at index 0\)"),
        (10, {"bidder_limit": 0.0}, ValueError, r"bidder_limit must be in \(0, 1\] \(got 0.0\)"),
        (10, {"bidder_limit": 1.5}, ValueError, r"bidder_limit must be in \(0, 1\] \(got 1.5\)"),
        (10, {"bidder_limit": "half"}, TypeError, r"bidder_limit must be a real number"),
        (10, {"min_price": math.inf}, ValueError, r"min_price must be finite \(got inf\)"),
        (10, {"reserve_price": 10**400}, ValueError,
         r"reserve_price must be at most 1.798e\+308 \(got a number of 401 digits\)"),
        (10, {"reserve_price": -(10**400)}, ValueError,
         r"reserve_price must be >= 0 \(got a negative number of 401 digits\)"),
        (10, {"bidder_limit": 10**400}, ValueError,
         r"bidder_limit must be in \(0, 1\] \(got a number of 401 digits\)"),
        (10, {"bidder_limit": {"a": -5}}, ValueError, r"bidder_limit\['a'\] must be >= 0"),
        (10, {"bidder_limit": {"a": 2.5}}, TypeError, r"bidder_limit\['a'\] must be a whole"),
    ],
)
def test_bad_auction_arguments(name, supply, options, error, match):
    with pytest.raises(error, match=match):
        FORMATS[name](BIDS, supply, **options)


def test_bids_must_be_bids():
    with pytest.raises(TypeError, match="bids must be a Bids table"):
        clear([("a", 1.0, 1)], 10)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="supply must be an int or an Offers curve"):
        uniform_price(BIDS, BIDS)  # type: ignore[arg-type]


def test_unknown_format_name():
    with pytest.raises(ValueError, match=r"format must be one of .* \(got 'dutch'\)"):
        get_format("dutch")


def test_checks_run_before_any_work():
    # A bad option is reported even when the bids would also fail later checks:
    # nothing is computed first and the caller's arrays stay as they were.
    price = np.array([10.0, 8.0])
    bids = Bids(bidder=["a", "b"], price=price, quantity=[5, 5])
    with pytest.raises(ValueError, match="tie_break"):
        uniform_price(bids, 10, tie_break="nope")  # type: ignore[arg-type]
    assert price.flags.writeable and price.tolist() == [10.0, 8.0]


def test_bids_are_frozen_and_copy_their_input():
    price = np.array([10.0, 8.0])
    bids = Bids(bidder=["a", "b"], price=price, quantity=[5, 5])
    price[0] = 99.0
    assert bids.price[0] == 10.0
    with pytest.raises(AttributeError, match="frozen"):
        bids.price = price
    with pytest.raises(ValueError):
        bids.price[0] = 1.0


ASKS = Offers(price=[5.0, 6.0], quantity=[10, 10], seller=["a", "b"])


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({}, ValueError, r"needs a demand, a budget or a price_cap \(got none\)"),
        ({"demand": -1}, ValueError, r"demand must be >= 0 \(got -1\)"),
        ({"demand": 2.5}, TypeError, r"demand must be a whole number \(got 2.5\)"),
        ({"demand": 2**63}, ValueError, r"demand must be below 2\*\*63 \(got 9223372036854775"),
        ({"budget": -10.0}, ValueError, r"budget must be >= 0 \(got -10.0\)"),
        ({"budget": math.nan}, ValueError, r"budget must be finite \(got nan\)"),
        ({"price_cap": -1.0}, ValueError, r"price_cap must be >= 0 \(got -1.0\)"),
        ({"budget": 10**400}, ValueError, r"budget must be at most 1.798e\+308 \(got a num"),
        ({"price_cap": 10**400}, ValueError, r"price_cap must be at most 1.798e\+308"),
        ({"demand": 5, "pricing": "dutch"}, ValueError, r"pricing must be one of .*'dutch'"),
        ({"demand": 5, "price_rule": "x"}, ValueError, r"price_rule must be one of .*'x'"),
        ({"demand": 5, "tie_break": "x"}, ValueError, r"tie_break must be one of .*'x'"),
        ({"demand": 5, "lot_size": 3}, ValueError, r"supply must be whole multiples of lot_si"),
        ({"demand": 5, "lot_size": 2}, ValueError, r"demand must be a whole multiple of lot_s"),
        ({"budget": 10.0, "price_cap": 5.0, "pricing": "proportional_share"}, ValueError,
         r"takes a budget and no demand or price_cap"),
        ({"demand": 5, "pricing": "proportional_share"}, ValueError,
         r"takes a budget and no demand or price_cap"),
    ],
)
def test_bad_reverse_auction_arguments(options, error, match):
    with pytest.raises(error, match=match):
        reverse_auction(ASKS, **options)


def test_proportional_share_takes_one_ask_per_seller():
    asks = Offers(price=[5.0, 6.0], quantity=[10, 10], seller=["a", "a"])
    with pytest.raises(ValueError, match="one ask per seller"):
        reverse_auction(asks, budget=100.0, pricing="proportional_share")
    with pytest.raises(TypeError, match="offers must be an Offers curve"):
        reverse_auction([5.0], demand=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"rule": "dutch"}, ValueError, r"rule must be one of 'uniform', 'trade_reduction'"),
        ({"price_rule": "high"}, ValueError, r"price_rule must be one of .*'high'"),
        ({"k": 1.5}, ValueError, r"k must be a number in \[0, 1\] \(got 1.5\)"),
        ({"k": math.nan}, ValueError, r"k must be a number in \[0, 1\] \(got nan\)"),
        ({"tie_break": "x"}, ValueError, r"tie_break must be one of"),
        ({"lot_size": 0}, ValueError, r"lot_size must be >= 1 \(got 0\)"),
    ],
)
def test_bad_double_auction_arguments(options, error, match):
    with pytest.raises(error, match=match):
        double_auction(BIDS, ASKS, **options)


def test_double_auction_sides_must_be_tables():
    with pytest.raises(TypeError, match="asks must be an Offers curve"):
        double_auction(BIDS, BIDS)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bids must be a Bids table"):
        double_auction(ASKS, ASKS)  # type: ignore[arg-type]
