"""Bad input to the reserve, the MSR, containment and the price band: loud, early, named.

Every error names the argument and the value, and is raised before anything
changes.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from allocation.containment import (
    containment_offers,
    price_containment_tiers,
    reserve_sale_offered,
    rggi_auction,
    rggi_ccr_quantity,
    rggi_prices,
    tier_sale,
)
from allocation.price_band import PriceBand, band_intervention, intervene
from allocation.reserve import Reserve, as_cents, fixed_price_purchase, fixed_price_sale
from allocation.stability import msr_intake, msr_invalidation, msr_release, msr_update
from auctions import Bids, Offers, reverse_auction, uniform_price

BIDS = Bids(bidder=["a", "b"], price=[30.0, 25.0], quantity=[10, 10])
ASKS = Offers(price=[8.0, 10.0], quantity=[10, 10], seller=["x", "y"])


def account() -> Reserve:
    return Reserve(permits=100, cash=1_000, circulation=500)


# ------------------------------------------------------------ money


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (-5, ValueError, r"cash must be >= 0 \(got -5\)"),
        (-0.5, ValueError, r"cash must be >= 0 \(got -0.5\)"),
        (1.005, ValueError, r"cash must be a whole number of cents \(got 1.005\)"),
        (math.nan, ValueError, r"cash must be finite \(got nan\)"),
        (math.inf, ValueError, r"cash must be finite \(got inf\)"),
        ("1.001", ValueError, r"cash must be a whole number of cents \(got 1.001\)"),
        ("lots", TypeError, r"cash must be an amount of money \(got 'lots'\)"),
        (True, TypeError, r"cash must be an amount of money \(got True\)"),
        ([1], TypeError, r"cash must be an amount of money \(got \[1\]\)"),
    ],
)
def test_bad_money(value, error, match):
    with pytest.raises(error, match=match):
        as_cents("cash", value)
    with pytest.raises(error, match=match):
        Reserve(cash=value)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"permits": -1}, ValueError, r"permits must be >= 0 \(got -1\)"),
        ({"permits": 2.5}, TypeError, r"permits must be a whole number \(got 2.5\)"),
        ({"circulation": -3}, ValueError, r"circulation must be >= 0 \(got -3\)"),
    ],
)
def test_bad_opening(kwargs, error, match):
    with pytest.raises(error, match=match):
        Reserve(**kwargs)


# ------------------------------------------------------------ operations


CASES: list[tuple[str, Any, type[Exception], str]] = [
    # fixed-price sales
    ("sale larger than the reserve",
     lambda r: r.sell_fixed_price(BIDS, price=20.0, quantity=101), ValueError,
     r"quantity must be <= the 100 permits held \(got 101\)"),
    ("negative price", lambda r: r.sell_fixed_price(BIDS, price=-1.0, quantity=5), ValueError,
     r"price must be >= 0 \(got -1.0\)"),
    ("sub-cent price", lambda r: r.sell_fixed_price(BIDS, price=20.005, quantity=5), ValueError,
     r"price must be a whole number of cents \(got 20.005\)"),
    ("negative quantity", lambda r: r.sell_fixed_price(BIDS, price=20.0, quantity=-5),
     ValueError, r"quantity must be >= 0 \(got -5\)"),
    ("bids not Bids", lambda r: r.sell_fixed_price([("a", 1.0, 1)], price=1.0, quantity=1),
     TypeError, r"bids must be a Bids table \(got list\)"),
    ("ineligible buyer",
     lambda r: r.sell_fixed_price(BIDS, price=20.0, quantity=5, eligible=["a"]), ValueError,
     r"bidder 'b' is not eligible"),
    # auction sales
    ("auction larger than the reserve", lambda r: r.sell_by_auction(BIDS, 101), ValueError,
     r"supply must be <= the 100 permits held \(got 101\)"),
    ("curve larger than the reserve",
     lambda r: r.sell_by_auction(BIDS, Offers(price=[1.0, 2.0], quantity=[60, 41])),
     ValueError, r"supply must be <= the 100 permits held \(got 101\)"),
    ("sub-cent bid",
     lambda r: r.sell_by_auction(Bids(bidder=["a"], price=[9.999], quantity=[1]), 5),
     ValueError, r"price must be whole numbers of cents \(got 9.999 at index 0\)"),
    ("negative reserve price", lambda r: r.sell_by_auction(BIDS, 5, reserve_price=-2.0),
     ValueError, r"reserve_price must be >= 0 \(got -2.0\)"),
    ("unknown format", lambda r: r.sell_by_auction(BIDS, 5, auction="english"), ValueError,
     r"format must be one of .* \(got 'english'\)"),
    # repurchases
    ("negative budget", lambda r: r.repurchase(ASKS, budget=-10), ValueError,
     r"budget must be >= 0 \(got -10\)"),
    ("budget above the cash", lambda r: r.repurchase(ASKS, budget=1_000.01), ValueError,
     r"budget must be <= the cash held, 1000.00 \(got 1000.01\)"),
    ("negative price cap", lambda r: r.repurchase(ASKS, price_cap=-1.0), ValueError,
     r"price_cap must be >= 0 \(got -1.0\)"),
    ("sub-cent ask",
     lambda r: r.repurchase(Offers(price=[1.234], quantity=[1]), demand=1), ValueError,
     r"price must be whole numbers of cents \(got 1.234 at index 0\)"),
    ("asks beyond circulation",
     lambda r: r.repurchase(Offers(price=[1.0], quantity=[501]), demand=1), ValueError,
     r"offers total 501 permits but only 500 are in circulation"),
    ("offers not Offers", lambda r: r.repurchase(BIDS, demand=1), TypeError,
     r"offers must be an Offers curve \(got Bids\)"),
    ("unfunded fixed-price buy-back",
     lambda r: r.repurchase_fixed_price(ASKS, price=10.0, quantity=101), ValueError,
     r"buying 101 permits at 10.00 needs 1010.00 but the reserve holds 1000.00"),
    ("negative fixed buy-back price",
     lambda r: r.repurchase_fixed_price(ASKS, price=-10.0, quantity=1), ValueError,
     r"price must be >= 0 \(got -10.0\)"),
    # permits only
    ("negative set-aside", lambda r: r.set_aside(-1), ValueError,
     r"quantity must be >= 0 \(got -1\)"),
    ("recovery beyond circulation", lambda r: r.recover(501), ValueError,
     r"quantity must be <= the 500 permits in circulation \(got 501\)"),
    ("cancel more than held", lambda r: r.cancel(101), ValueError,
     r"quantity must be <= the 100 permits held \(got 101\)"),
    ("fractional cancel", lambda r: r.cancel(1.5), TypeError,
     r"quantity must be a whole number \(got 1.5\)"),
    # booking
    ("book a purchase as a sale",
     lambda r: r.book_sale(reverse_auction(ASKS, demand=5)), ValueError,
     r"result must be a sale \(got a purchase"),
    ("book a sale as a purchase",
     lambda r: r.book_purchase(uniform_price(BIDS, 5)), ValueError,
     r"result must be a purchase \(got a sale"),
    ("book a sale bigger than the reserve",
     lambda r: r.book_sale(uniform_price(BIDS, 150)), ValueError,
     r"result offers 150 permits but the reserve holds 100"),
    ("book something else", lambda r: r.book_sale("result"), TypeError,
     r"result must be an AuctionResult \(got str\)"),
]


@pytest.mark.parametrize(("name", "operation", "error", "match"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_operation_raises_and_changes_nothing(name, operation, error, match):
    reserve = account()
    before, ledger = reserve.state, reserve.ledger
    with pytest.raises(error, match=match):
        operation(reserve)
    assert reserve.state == before and reserve.ledger == ledger


def test_fixed_price_functions():
    with pytest.raises(ValueError, match=r"quantity must be >= 0 \(got -1\)"):
        fixed_price_sale(BIDS, -1, price=1.0)
    with pytest.raises(TypeError, match=r"offers must be an Offers curve \(got Bids\)"):
        fixed_price_purchase(BIDS, 1, price=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"tie_break must be one of .* \(got 'coin'\)"):
        fixed_price_sale(BIDS, 1, price=1.0, tie_break="coin")  # type: ignore[arg-type]


# ------------------------------------------------------------ the MSR


@pytest.mark.parametrize(
    ("tnac", "error", "match"),
    [
        (-1, ValueError, r"tnac must be >= 0 \(got -1\)"),
        (833_000_000.5, TypeError, r"tnac must be a whole number \(got 833000000.5\)"),
        ("1e9", TypeError, r"tnac must be a whole number \(got '1e9'\)"),
        (True, TypeError, r"tnac must be a whole number \(got True\)"),
        (None, TypeError, r"tnac must be a whole number \(got None\)"),
    ],
)
def test_bad_tnac(tnac, error, match):
    with pytest.raises(error, match=match):
        msr_intake(tnac, 2024)
    with pytest.raises(error, match=match):
        msr_release(tnac, 2024, held=0)


@pytest.mark.parametrize(
    ("year", "error", "match"),
    [
        (2017, ValueError, r"year must be between 2018 and 2030.* \(got 2017\)"),
        (2031, ValueError, r"year must be between 2018 and 2030.* \(got 2031\)"),
        (2020.5, TypeError, r"year must be a whole number \(got 2020.5\)"),
        ("2020", TypeError, r"year must be a whole number \(got '2020'\)"),
    ],
)
def test_bad_year(year, error, match):
    with pytest.raises(error, match=match):
        msr_intake(1_000_000_000, year)


def test_bad_holdings():
    with pytest.raises(ValueError, match=r"held must be >= 0 \(got -1\)"):
        msr_release(0, 2024, held=-1)
    with pytest.raises(ValueError, match=r"auctioned_previous_year is needed .* 2023"):
        msr_invalidation(10, 2023)
    # A bad volume is refused in every year, not only in 2023 when it is used.
    for year in (2020, 2023, 2024):
        with pytest.raises(ValueError,
                           match=r"auctioned_previous_year must be >= 0 \(got -5\)"):
            msr_invalidation(10, year, auctioned_previous_year=-5)
    with pytest.raises(TypeError, match=r"auctioned_previous_year must be a whole number"):
        msr_update(10, 0, 2026, auctioned_previous_year="abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"held must be >= 0 \(got -2\)"):
        msr_update(-2, 0, 2025)


# ------------------------------------------------------------ containment


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"base_supply": -1}, r"base_supply must be >= 0 \(got -1\)"),
        ({"base_supply": 10, "ecr_trigger": 6.0, "ecr_quantity": 11},
         r"ecr_quantity must be <= base_supply=10.* \(got 11\)"),
        ({"base_supply": 10, "ccr_quantity": 5}, r"ccr_quantity=5 needs a ccr_trigger"),
        ({"base_supply": 10, "ecr_quantity": 5}, r"ecr_quantity=5 needs an ecr_trigger"),
        ({"base_supply": 10, "reserve_price": 5.0, "ecr_trigger": 5.0, "ecr_quantity": 1},
         r"ecr_trigger must be > reserve_price=5.0 \(got 5.0\)"),
        ({"base_supply": 10, "ecr_trigger": 6.0, "ccr_trigger": 6.0},
         r"ccr_trigger must be > the reserve price and any ECR trigger, 6.0 \(got 6.0\)"),
        ({"base_supply": 10, "ccr_trigger": -13.0}, r"ccr_trigger must be >= 0 \(got -13.0\)"),
        ({"base_supply": 10, "ccr_trigger": 13.0, "ccr_quantity": -1},
         r"ccr_quantity must be >= 0 \(got -1\)"),
        ({"base_supply": 2**62, "ccr_trigger": 13.0, "ccr_quantity": 2**62},
         r"base_supply \+ ccr_quantity must be less than 2\*\*63 permits \(got "
         r"4611686018427387904 \+ 4611686018427387904\)"),
    ],
)
def test_bad_containment_steps(kwargs, match):
    with pytest.raises(ValueError, match=match):
        containment_offers(**kwargs)


def test_bad_rggi_arguments():
    with pytest.raises(ValueError,
                       match=r"year must be from 2014, when the CCR began, to 9999 \(got 2013\)"):
        rggi_prices(2013)
    with pytest.raises(ValueError, match=r"to 9999 \(got 10000\)"):
        rggi_prices(10_000)
    with pytest.raises(ValueError, match=r"cap is needed from 2021"):
        rggi_ccr_quantity(2022)
    # A bad cap is refused in every year, not only in those that use it.
    with pytest.raises(ValueError, match=r"cap must be >= 0 \(got -5\)"):
        rggi_ccr_quantity(2020, cap=-5)
    with pytest.raises(ValueError, match=r"ecr_quantity must be 0 before 2021.*\(got 5 in 2020"):
        rggi_auction(BIDS, 100, 2020, ecr_quantity=5)


def test_bad_tiers():
    with pytest.raises(ValueError, match=r"prices must be strictly increasing \(got 40.0 at"):
        price_containment_tiers([45.0, 40.0], [1, 1])
    with pytest.raises(ValueError, match=r"lengths differ: prices has 2, quantities has 3"):
        price_containment_tiers([40.0, 45.0], [1, 1, 1])
    with pytest.raises(ValueError,
                       match=r"quantities must total less than 2\*\*63 permits "
                             r"\(got 9223372036854775808\)"):
        price_containment_tiers([41.4, 53.2], [2**62, 2**62])
    with pytest.raises(ValueError, match=r"prices must be >= 0 \(got -40.0 at index 0\)"):
        price_containment_tiers([-40.0], [1])
    with pytest.raises(TypeError, match=r"tiers must be an Offers curve \(got int\)"):
        tier_sale(BIDS, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"settlement_price must be >= 0 \(got -1.0\)"):
        reserve_sale_offered(-1.0, 41.4)


# ------------------------------------------------------------ the price band


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"reference": 0.0}, ValueError, r"reference must be > 0 \(got 0.0\)"),
        ({"reference": -5.0}, ValueError, r"reference must be >= 0 \(got -5.0\)"),
        ({"reference": 10.0, "lower": 1.5}, ValueError, r"lower must be in \[0, 1\] \(got 1.5\)"),
        ({"reference": 10.0, "upper": -0.1}, ValueError,
         r"upper must be a finite number >= 0 \(got -0.1\)"),
        ({"reference": 10.0, "lower": "20%"}, TypeError,
         r"lower must be a real number in \[0, 1\] \(got '20%'\)"),
        ({"reference": 10.0, "lower": 10**400}, ValueError,
         r"lower must be in \[0, 1\] \(got a number of 401 digits\)"),
        ({"reference": 10.0, "upper": 10**400}, ValueError,
         r"upper must be a finite number >= 0 \(got a number of 401 digits\)"),
        # Under half a cent the rounded band is [0, 0]: the reserve would sell for nothing.
        ({"reference": 0.004}, ValueError,
         r"reference must lie in its band rounded to the cent \(got 0.004 and the band "
         r"\[0.0, 0.0\]\)"),
        ({"reference": 18000.004, "upper": 0.0}, ValueError,
         r"reference must lie in its band .* \[14400.0, 18000.0\]\)"),
        ({"reference": 1e308, "upper": 1.0}, ValueError,
         r"reference x \(1 \+ upper\) must be a finite price"),
    ],
)
def test_bad_band(kwargs, error, match):
    with pytest.raises(error, match=match):
        PriceBand(**kwargs)


def test_bad_intervention():
    band = PriceBand(reference=100.0)
    with pytest.raises(ValueError, match=r"tranche must be >= 0 \(got -1\)"):
        band_intervention(band, 150.0, permits=10, cash=0, tranche=-1)
    with pytest.raises(ValueError, match=r"cash must be >= 0 \(got -1\)"):
        band_intervention(band, 150.0, permits=10, cash=-1, tranche=1)
    with pytest.raises(ValueError, match=r"price must be >= 0 \(got -150.0\)"):
        band_intervention(band, -150.0, permits=10, cash=0, tranche=1)
    with pytest.raises(TypeError, match=r"band must be a PriceBand \(got float\)"):
        band_intervention(100.0, 150.0, permits=10, cash=0, tranche=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"reserve must be a Reserve \(got dict\)"):
        intervene({}, band, 150.0, tranche=1)  # type: ignore[arg-type]
