"""EU ETS and UK ETS presets pinned against their regulations, worked by hand.

EU: Regulation (EU) No 1031/2010, Articles 6-7 (lots of 500, the bid where
the cumulative volume meets the supply sets the price, random order of tied
bids with the last one partly filled, cancellation when bids fall short or
the price is significantly under the secondary market, the cancelled volume
over the next four auctions) and the Market Stability Reserve thresholds.
UK: SI 2021/484, regulations 5-7 and 6(8) (reserve price, partial sale,
secondary-market rule, carry-over capped at 125 %).
"""

from __future__ import annotations

import math

import pytest

from allocation.programmes import eu_ets as eu_programme
from auctions import Bids, conserves_permits, is_budget_balanced
from auctions.rules import eu_ets, uk_ets

# ------------------------------------------------------------ EU ETS: Article 7


def tied_bids() -> Bids:
    # A 1,500 at 80.50; B and C 1,000 each at 80.20; D 500 at 79.00.
    return Bids(bidder=["A", "B", "C", "D"], price=[80.50, 80.20, 80.20, 79.00],
                quantity=[1500, 1000, 1000, 500])


def test_eu_clearing_price_is_the_bid_that_completes_the_volume():
    # Art. 7(2): cumulative 1,500 at 80.50, 3,500 at 80.20 >= 3,000: price 80.20.
    r = eu_ets.auction(tied_bids(), 3000, rng=0)
    assert r.clearing_price == 80.20
    assert r.awarded[0] == 1500 and r.awarded[3] == 0
    assert r.revenue == pytest.approx(3000 * 80.20)
    assert r.status == "cleared"


def test_eu_tied_bids_in_random_order_the_last_one_partly_filled():
    # Art. 7(2), 7(4): 1,500 remain for B and C (1,000 each): the first in the
    # random order gets 1,000, the second the remaining 500.
    outcomes = set()
    for seed in range(30):
        r = eu_ets.auction(tied_bids(), 3000, rng=seed)
        outcomes.add((int(r.awarded[1]), int(r.awarded[2])))
    assert outcomes == {(1000, 500), (500, 1000)}


def test_eu_cancelled_when_bids_fall_short():
    # Art. 7(5): 4,000 bid for 4,500 auctioned.
    r = eu_ets.auction(tied_bids(), 4500, rng=0)
    assert r.status == "cancelled"
    assert r.sold == 0 and r.unsold == 4500 and math.isnan(r.clearing_price)


def test_eu_cancelled_when_significantly_under_the_secondary_market():
    # Art. 7(6): the clearing price 80.20 is under a threshold of 80.30.
    assert eu_ets.auction(tied_bids(), 3000, min_price=80.30, rng=0).status == "cancelled"
    assert eu_ets.auction(tied_bids(), 3000, min_price=80.20, rng=0).status == "cleared"


def test_eu_lots_of_500_and_prices_to_the_cent():
    # Art. 6(1)-(2).
    with pytest.raises(ValueError, match="lot_size=500"):
        eu_ets.auction(Bids(bidder=["a"], price=[80.0], quantity=[700]), 500)
    with pytest.raises(ValueError, match="price must have at most 2 decimals"):
        eu_ets.auction(Bids(bidder=["a"], price=[80.005], quantity=[500]), 500)


def test_eu_cancelled_volume_spread_evenly_over_the_next_four_auctions():
    # Art. 7(8) as applied by EEX: 3,000,000 over four auctions, 750,000 each.
    out = eu_ets.redistribute(3_000_000, [2_500_000] * 5)
    assert out.added == (750_000, 750_000, 750_000, 750_000, 0)
    assert out.volumes == (3_250_000, 3_250_000, 3_250_000, 3_250_000, 2_500_000)
    # 1,000,500 is 2,001 lots: 501, 500, 500, 500 (the extra lot to the earliest).
    assert eu_ets.redistribute(1_000_500, [2_500_000] * 4).added == (
        250_500, 250_000, 250_000, 250_000)


# ------------------------------------------------------------ EU ETS: the MSR via the preset


@pytest.mark.parametrize(
    ("tnac", "year", "intake"),
    [
        # 2019-2023: 24 % when it reaches 200 million (24 % of 833,333,334 is 200,000,000.16).
        (833_333_333, 2019, 0),
        (833_333_334, 2019, 200_000_000),
        (833_333_334, 2023, 200_000_000),
        # 2018 (eight months): 16 %, the same 200 million threshold at 1,250,000,000.
        (1_249_999_999, 2018, 0),
        (1_250_000_000, 2018, 200_000_000),
        # From 2024: strictly between 833 and 1,096 million, TNAC - 833 million.
        (833_000_000, 2024, 0),
        (833_000_001, 2024, 1),
        (1_095_999_999, 2024, 262_999_999),
        (1_096_000_000, 2024, 263_040_000),  # 24 % of 1,096 million
        # The Commission's publications of 2019 and 2023.
        (1_654_909_824, 2019, 397_178_358),
        (1_134_794_738, 2023, 272_350_737),
    ],
)
def test_msr_intake_on_each_side_of_each_threshold(tnac, year, intake):
    assert eu_programme.msr_intake(tnac, year) == intake
    # The intake comes out of the volume auctioned.
    assert eu_programme.auction_volume(1_000_000_000, tnac, year, held=0) == (
        1_000_000_000 - intake)


def test_msr_release_below_400_million_adds_to_the_auctions():
    # Decision 2015/1814, Art. 1(6): 100 million released below 400 million.
    assert eu_programme.auction_volume(500_000_000, 399_999_999, 2027,
                                       held=300_000_000) == 600_000_000
    assert eu_programme.auction_volume(500_000_000, 400_000_000, 2027,
                                       held=300_000_000) == 500_000_000
    # A reserve holding 60 million releases all of it.
    assert eu_programme.auction_volume(500_000_000, 350_000_000, 2027,
                                       held=60_000_000) == 560_000_000


def test_msr_year_books_invalidation_intake_and_volume():
    # 2026: holdings above 400 million are invalidated (1,000 - 400 = 600 million);
    # 1,023,494,202 is in the band: intake 190,494,202.
    y = eu_programme.msr_year(1_000_000_000, 1_023_494_202, 2026, planned=700_000_000)
    assert y.update.invalidated == 600_000_000
    assert y.update.intake == 190_494_202
    assert y.update.held == 400_000_000 + 190_494_202
    assert y.auction_volume == 700_000_000 - 190_494_202


# ------------------------------------------------------------ UK ETS


def test_uk_partial_sale_at_the_lowest_bid():
    # Reg. 7(1)(b): 1,500 bid for 2,000: all filled at the lowest bid, 41.50.
    bids = Bids(bidder=["a", "b"], price=[45.00, 41.50], quantity=[1000, 500])
    r = uk_ets.auction(bids, 2000)
    assert (r.clearing_price, r.sold, r.unsold, r.status) == (41.5, 1500, 500, "undersubscribed")
    assert r.revenue == pytest.approx(1500 * 41.5)


def test_uk_bids_below_the_auction_reserve_price_are_not_accepted():
    # Reg. 6(4)-(5): 21.99 is below the 22 pound reserve.
    bids = Bids(bidder=["a", "b"], price=[30.00, 21.99], quantity=[1000, 1000])
    r = uk_ets.auction(bids, 1500)
    assert r.awarded.tolist() == [1000, 0]
    assert r.clearing_price == 30.0
    assert uk_ets.auction(bids, 1500).unsold == 500


def test_uk_price_of_the_lowest_bid_not_significantly_below_the_secondary_market():
    # Reg. 7(1)(a) would give 30.00; bids under 38.00 are significantly below
    # the secondary market (7(2)), so the price is 39.00 (7(1)(c)), 500 unsold.
    bids = Bids(bidder=["a", "b", "c"], price=[41.00, 39.00, 30.00], quantity=[500, 500, 1000])
    assert uk_ets.auction(bids, 1500, rng=0).clearing_price == 30.0
    r = uk_ets.auction(bids, 1500, significantly_below=38.00, rng=0)
    assert (r.clearing_price, r.awarded.tolist(), r.unsold) == (39.0, [500, 500, 0], 500)


def test_uk_no_clearing_price_when_every_bid_is_significantly_below():
    # Reg. 7(1A): nothing is sold; the allowances go to regulation 6(8).
    bids = Bids(bidder=["a"], price=[30.00], quantity=[1000])
    r = uk_ets.auction(bids, 1000, significantly_below=38.00)
    assert r.sold == 0 and r.unsold == 1000 and math.isnan(r.clearing_price)


def test_uk_unsold_carried_to_four_auctions_capped_at_125_percent():
    # Reg. 6(8): 250,000 to each; the second (800,000) may grow by only
    # 200,000, so 50,000 moves to another of the four (the first).
    out = uk_ets.carry_over_unsold(1_000_000, [2_000_000, 800_000, 2_000_000, 2_000_000])
    assert out.added == (300_000, 200_000, 250_000, 250_000)
    assert out.overflow == 0
    # All four full: 1,000,000 each would exceed 2,500,000; 2,000,000 overflows
    # to the market stability mechanism account.
    full = uk_ets.carry_over_unsold(4_000_000, [2_000_000] * 4)
    assert full.volumes == (2_500_000,) * 4 and full.overflow == 2_000_000
    assert uk_ets.UNSOLD_VOLUME.overflow_to == "market stability mechanism account"


def test_uk_results_keep_the_invariants():
    bids = Bids(bidder=["a", "b", "c"], price=[41.00, 39.00, 30.00], quantity=[500, 500, 1000])
    r = uk_ets.auction(bids, 1500, significantly_below=38.00, rng=0)
    assert conserves_permits(r) and is_budget_balanced(r)
