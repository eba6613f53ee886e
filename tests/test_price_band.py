"""The price band: sell from the reserve above it, buy back below it, within its means.

Worked example: Shanxi's SO2 guideline price of 18,000 yuan per ton with a
20 % float: floor 18,000 x 0.8 = 14,400, ceiling 18,000 x 1.2 = 21,600.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from allocation.price_band import Intervention, PriceBand, band_intervention, intervene
from allocation.reserve import Reserve, Transfer, from_cents

SHANXI = PriceBand(reference=18_000.0)


def test_band_edges_by_hand():
    assert (SHANXI.floor, SHANXI.ceiling) == (14_400.0, 21_600.0)
    # Asymmetric: 10 % down, 20 % up from 25.55: 22.995 -> 23.00, 30.66.
    band = PriceBand(reference=25.55, lower=0.1, upper=0.2)
    assert (band.floor, band.ceiling) == (23.0, 30.66)


def test_edges_are_inside_the_band():
    assert SHANXI.position(21_600.0) == "inside"
    assert SHANXI.position(21_600.01) == "above"
    assert SHANXI.position(14_400.0) == "inside"
    assert SHANXI.position(14_399.99) == "below"


def test_sell_above_the_band_at_the_ceiling():
    # Market at 23,000 > 21,600: sell the tranche of 50 at 21,600 = 1,080,000.
    reserve = Reserve(permits=200, cash=0, circulation=5_000)
    record = intervene(reserve, SHANXI, 23_000.0, tranche=50)
    assert record is not None and record.kind == "fixed_price_sale"
    assert record.transfers == (Transfer("market", 50, 108_000_000),)
    assert reserve.cash == Decimal("1080000.00") and reserve.permits == 150


def test_sale_bounded_by_the_permits_held():
    decision = band_intervention(SHANXI, 23_000.0, permits=30, cash=0, tranche=50)
    assert decision == Intervention(action="sell", quantity=30, price=21_600.0, wanted=50,
                                    bound="permits")


def test_buy_below_the_band_at_the_floor_bounded_by_cash():
    # Market at 12,000 < 14,400: the tranche is 50, but 100,000 buys only
    # floor(100,000 / 14,400) = 6 permits, for 86,400.
    reserve = Reserve(permits=0, cash=100_000, circulation=5_000)
    record = intervene(reserve, SHANXI, 12_000.0, tranche=50)
    assert record is not None and record.kind == "fixed_price_repurchase"
    assert record.permits == 6 and record.cash_cents == -8_640_000
    assert reserve.cash == Decimal("13600.00")


def test_buy_bounded_by_circulation():
    decision = band_intervention(SHANXI, 12_000.0, permits=0, cash=10**9, tranche=50,
                                 circulation=20)
    assert (decision.quantity, decision.bound) == (20, "circulation")


def test_inside_the_band_nothing_happens():
    reserve = Reserve(permits=10, cash=10_000, circulation=100)
    assert intervene(reserve, SHANXI, 18_500.0, tranche=5) is None
    assert band_intervention(SHANXI, 18_500.0, permits=10, cash=10_000, tranche=5).action == "none"
    assert len(reserve.ledger) == 1


def test_nothing_to_trade_records_nothing():
    reserve = Reserve(permits=0, cash=0, circulation=100)
    assert intervene(reserve, SHANXI, 25_000.0, tranche=5) is None
    assert intervene(reserve, SHANXI, 10_000.0, tranche=5) is None
    assert len(reserve.ledger) == 1


@given(
    prices=st.lists(st.integers(1_000_000, 3_000_000).map(lambda c: c / 100), min_size=1,
                    max_size=12),
    permits=st.integers(0, 200),
    cash=st.integers(0, 5_000_000),
    circulation=st.integers(0, 200),
    tranche=st.integers(0, 60),
    lower=st.sampled_from([0.1, 0.2, 0.3]),
    upper=st.sampled_from([0.1, 0.2, 0.3]),
)
def test_a_path_of_prices_never_overdraws(prices, permits, cash, circulation, tranche, lower,
                                          upper):
    band = PriceBand(reference=18_000.0, lower=lower, upper=upper)
    reserve = Reserve(permits=permits, cash=from_cents(cash * 100), circulation=circulation)
    for price in prices:
        before = reserve.state
        record = intervene(reserve, band, price, tranche=tranche)
        where = band.position(price)
        if record is None:
            assert reserve.state == before
            continue
        moved = record.permits
        assert where != "inside"
        if where == "above":  # sells, at the ceiling, at most the tranche and the holding
            assert -moved <= min(tranche, before.permits)
            assert record.cash_cents == -moved * round(band.ceiling * 100)
        else:  # buys, at the floor, at most the tranche and what the cash pays for
            assert moved <= tranche
            assert -record.cash_cents == moved * round(band.floor * 100) <= before.cash_cents
        assert min(reserve.state) >= 0 and reserve.is_balanced()
    assert Reserve.from_ledger(reserve.ledger).state == reserve.state

