"""RGGI preset pinned against its auction notices and Model Rules, worked by hand.

Reserve prices and trigger prices are those the auction notices published
(as reported) and those of the 2025 Model Rule (ICAP's summary); auctions are
worked unit by unit: the price is the highest rejected bid, raised to the
marginal supply step.
"""

from __future__ import annotations

import pytest

from allocation.programmes import rggi
from auctions import Bids, conserves_permits, is_budget_balanced, is_individually_rational

# ------------------------------------------------------------ schedules


@pytest.mark.parametrize(("year", "price"), [(2015, 2.05), (2016, 2.10), (2025, 2.62)])
def test_reserve_price_in_years_with_published_notices(year, price):
    # Auction 27 (2015), auction 33 (2016); ICAP on the 2025 price.
    assert rggi.reserve_price(year) == price
    assert rggi.PUBLISHED_RESERVE_PRICES[year] == price


def test_ccr_trigger_in_years_with_published_notices():
    # Auction 27: CCR trigger 6.00 in 2015; auction 33: 8.00 in 2016.
    assert rggi.ccr_triggers(2015) == (6.0,)
    assert rggi.ccr_triggers(2016) == (8.0,)


def test_2025_model_rule_schedule():
    # 9.00 in 2027 rising 7 %: 9.63 in 2028 (9 x 1.07); CCR tiers 19.50 and
    # 29.25 in 2027 reaching 38.36 and 57.53 in 2037 (ICAP, July 2025); no ECR.
    assert rggi.reserve_price(2027) == 9.0
    assert rggi.reserve_price(2028) == 9.63
    assert rggi.ccr_triggers(2027) == (19.5, 29.25)
    assert rggi.ccr_triggers(2028) == (20.87, 31.30)  # 20.865 -> 20.87, 31.2975 -> 31.30
    assert rggi.ccr_triggers(2037) == (38.36, 57.53)
    assert rggi.ecr_trigger(2026) == 8.41 and rggi.ecr_trigger(2027) is None


def test_supply_curve_steps():
    curve = rggi.supply_curve(1_000_000, 2024, ccr_quantity=100_000, ecr_quantity=50_000)
    assert curve.seller is not None
    assert curve.seller.tolist() == ["base", "ecr", "ccr"]
    assert curve.price.tolist() == [2.56, 7.35, 15.92]
    assert curve.quantity.tolist() == [950_000, 50_000, 100_000]


# ------------------------------------------------------------ auctions


def test_price_is_the_highest_rejected_bid():
    # 2015, 1,000,000 allowances (25 % limit: 250,000): bids of 200,000 at
    # 5.10, 4.80, 4.50, 4.20 and 4.00 fill the supply; the bid at 3.50 is the
    # highest rejected and sets the price, below the lowest accepted (4.00).
    bids = Bids(bidder=list("abcdef"), price=[5.10, 4.80, 4.50, 4.20, 4.00, 3.50],
                quantity=[200_000] * 5 + [100_000])
    out = rggi.auction(bids, 1_000_000, 2015, rng=0)
    assert out.clearing_price == 3.50
    assert out.result.awarded.tolist() == [200_000] * 5 + [0]
    assert out.result.revenue == pytest.approx(1_000_000 * 3.50)


def test_a_partly_filled_bid_is_also_the_highest_rejected():
    # 900,000 allowances: the bid at 4.00 gets 100,000 of its 200,000; its
    # rejected part is the highest rejected bid.
    bids = Bids(bidder=list("abcde"), price=[5.10, 4.80, 4.50, 4.20, 4.00],
                quantity=[200_000] * 5)
    out = rggi.auction(bids, 900_000, 2015, rng=0)
    assert out.clearing_price == 4.00
    assert out.result.awarded.tolist() == [200_000] * 4 + [100_000]


def test_price_is_the_reserve_price_when_every_bid_is_filled():
    # As in auction 13 (2011, cleared at its reserve price): 2015, bids for
    # 150,000 of 1,000,000 all filled at the 2.05 reserve price.
    bids = Bids(bidder=["a", "b"], price=[3.00, 2.50], quantity=[100_000, 50_000])
    out = rggi.auction(bids, 1_000_000, 2015)
    assert out.clearing_price == 2.05
    assert out.result.sold == 150_000 and out.result.status == "undersubscribed"


def test_ecr_withholds_when_demand_at_its_trigger_falls_short():
    # 2024: 900,000 at 2.56, 100,000 ECR at 7.35, 100,000 CCR at 15.92.
    # Demand at 7.35 or more is 750,000 < 900,000: the ECR sells nothing.
    bids = Bids(bidder=["a", "b", "c", "d", "e"], price=[16.50, 15.00, 12.00, 7.00, 3.00],
                quantity=[250_000, 250_000, 250_000, 200_000, 100_000])
    out = rggi.auction(bids, 1_000_000, 2024, ccr_quantity=100_000, ecr_quantity=100_000)
    assert (out.clearing_price, out.base_sold, out.ecr_sold, out.ecr_withheld) == (
        7.0, 900_000, 0, 100_000)
    assert out.ccr_sold == (0,) and out.ccr_unsold == (100_000,)


def test_ccr_partly_sold_prices_at_its_trigger():
    # 2021: base 1,000,000 at 2.38, CCR 100,000 at 13.00 (25 % limit of
    # 1,100,000: 275,000). Demand at 13 or more is 1,050,000: 50,000 CCR
    # allowances sell; the highest rejected bid (10) is under the trigger, so
    # the price is 13.00.
    bids = Bids(bidder=list("abcdef"), price=[20.0, 18.0, 16.0, 14.0, 13.5, 10.0],
                quantity=[250_000] * 4 + [50_000, 200_000])
    out = rggi.auction(bids, 1_000_000, 2021, ccr_quantity=100_000)
    assert out.clearing_price == 13.0
    assert out.ccr_sold == (50_000,) and out.ccr_unsold == (50_000,)
    assert out.base_sold == 1_000_000


def test_two_ccr_tiers_from_2027():
    bids = Bids(bidder=list("abcdefg"), price=[35.0, 30.0, 25.0, 22.0, 21.0, 20.0, 15.0],
                quantity=[200_000] * 5 + [50_000, 200_000])
    out = rggi.auction(bids, 1_000_000, 2027, ccr_quantity=(100_000, 50_000))
    assert out.clearing_price == 19.5
    assert out.ccr_sold == (50_000, 0) and out.ccr_unsold == (50_000, 50_000)


def test_no_bidder_wins_more_than_a_quarter_of_the_supply():
    # 25 % of 1,000,000 is 250,000: the bidder's lots at 3.00 go first.
    bids = Bids(bidder=["big", "big", "small"], price=[5.00, 3.00, 4.00],
                quantity=[200_000, 200_000, 100_000])
    out = rggi.auction(bids, 1_000_000, 2015)
    assert out.result.by_bidder()["big"].awarded == 250_000
    assert out.result.awarded.tolist() == [200_000, 50_000, 100_000]


def test_bids_in_lots_of_1000():
    with pytest.raises(ValueError, match="lot_size=1000"):
        rggi.auction(Bids(bidder=["a"], price=[5.0], quantity=[1500]), 10_000, 2015)


def test_outcomes_keep_the_invariants():
    bids = Bids(bidder=list("abcdef"), price=[20.0, 18.0, 16.0, 14.0, 13.5, 10.0],
                quantity=[250_000] * 4 + [50_000, 200_000])
    r = rggi.auction(bids, 1_000_000, 2021, ccr_quantity=100_000).result
    assert conserves_permits(r) and is_budget_balanced(r) and is_individually_rational(r)
