"""The government reserve account: hand-worked operations, money to the cent, properties.

Every expected number below was worked by hand from the rule (fixed-price
sale, auction with a reserve price, reverse auction, proportional share),
not by running the library.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation.containment import rggi_prices
from allocation.price_band import PriceBand
from allocation.reserve import (
    Record,
    Reserve,
    ReserveState,
    Transfer,
    _whole_cents,
    as_cents,
    fixed_price_purchase,
    fixed_price_sale,
    from_cents,
)
from auctions import Bids, Offers, conserves_permits, is_budget_balanced
from auctions.rules.base import escalate, weighted_average_price

ASKS = Offers(price=[8.0, 10.0, 11.0, 14.0], quantity=[10, 10, 20, 5], seller=["w", "x", "y", "z"])


# ------------------------------------------------------------ money


def test_cents_are_exact_for_two_place_decimals():
    assert as_cents("price", 12.34) == 1234
    assert as_cents("price", 0.07) == 7
    assert as_cents("cash", 10**9) == 10**11
    assert as_cents("cash", Decimal("1234.50")) == 123450
    assert as_cents("cash", "0.01") == 1
    assert from_cents(123450) == Decimal("1234.50")


@given(st.integers(min_value=2**44, max_value=2**62))
def test_large_amounts_are_read_to_the_exact_cent(cents: int):
    # The float nearest to cents / 100 stands for those cents (or for a
    # neighbour it is as near to, once floats are coarser than a cent); above
    # 2**44 the product x * 100 in float64 can round to the wrong cent, so the
    # reading must be exact. Reference: exact rationals.
    x = cents / 100  # correctly rounded
    read = as_cents("cash", x)
    assert abs(Fraction(x) - Fraction(read, 100)) <= abs(Fraction(x) - Fraction(cents, 100))
    assert read / 100 == x
    _whole_cents("price", np.array([x, 12.34]))


def test_a_large_two_place_amount_by_hand():
    # 39,084,421,356,551.45 (a band floor of 0.8 x 48,855,526,695,689.31): x * 100
    # in float64 is 3908442135655145.5, which rounds (half to even) a cent too high.
    x = 39084421356551.45
    assert x * 100 == 3908442135655145.5
    assert as_cents("floor", x) == 3908442135655145
    assert from_cents(10**30 + 1) == Decimal("10000000000000000000000000000.01")


def test_money_does_not_depend_on_the_callers_decimal_context():
    expected = (rggi_prices(2030), PriceBand(reference=18_000.0).ceiling,
                escalate("2.00", [0.025] * 16), as_cents("cash", Decimal("1234.56")),
                from_cents(10**30 + 1), weighted_average_price([30.01, 36.02], [100, 200]))
    with decimal.localcontext() as ctx:
        ctx.prec = 4
        ctx.rounding = decimal.ROUND_DOWN
        assert (rggi_prices(2030), PriceBand(reference=18_000.0).ceiling,
                escalate("2.00", [0.025] * 16), as_cents("cash", Decimal("1234.56")),
                from_cents(10**30 + 1),
                weighted_average_price([30.01, 36.02], [100, 200])) == expected
    assert expected[0].ccr_trigger == 23.89 and expected[1] == 21_600.0


def test_auction_payment_with_binary_error_is_booked_as_the_exact_cents():
    # 3 x 12.34 is 37.019999999999996 in binary floating point; it is 37.02.
    reserve = Reserve(permits=3)
    bids = Bids(bidder=["a"], price=[12.34], quantity=[3])
    record = reserve.sell_by_auction(bids, 3)
    assert record.result is not None and record.result.revenue != 37.02
    assert record.cash_cents == 3702
    assert reserve.cash == Decimal("37.02")


# ------------------------------------------------------------ sales


def test_fixed_price_sale_hubei_style():
    # 500 held, price 30.00. A asks 200 (max 35), B 100 (max 30), C 300 (max 29,
    # below the price: no request). 300 requested <= 500: all filled at 30.
    reserve = Reserve(permits=500, circulation=1_000)
    bids = Bids(bidder=["A", "B", "C"], price=[35.0, 30.0, 29.0], quantity=[200, 100, 300])
    record = reserve.sell_fixed_price(bids, price=30.0, quantity=500)
    assert record.kind == "fixed_price_sale"
    assert record.transfers == (Transfer("A", 200, 600_000), Transfer("B", 100, 300_000))
    assert record.cash_cents == 900_000  # 300 x 30.00
    assert reserve.state == ReserveState(permits=200, circulation=1_300, cancelled=0,
                                         cash_cents=900_000)


def test_fixed_price_sale_oversubscribed_is_pro_rata():
    # 100 permits, requests 120 and 80: floor(120*100/200) = 60, floor(80*100/200) = 40.
    reserve = Reserve(permits=100)
    bids = Bids(bidder=["A", "B"], price=[50.0, 50.0], quantity=[120, 80])
    record = reserve.sell_fixed_price(bids, price=45.0, quantity=100)
    assert [t.permits for t in record.transfers] == [60, 40]
    assert record.cash_cents == 100 * 4500
    assert reserve.permits == 0


def test_fixed_price_sale_to_eligible_buyers_only():
    bids = Bids(bidder=["covered", "trader"], price=[30.0, 30.0], quantity=[5, 5])
    with pytest.raises(ValueError, match="bidder 'trader' is not eligible"):
        fixed_price_sale(bids, 10, price=20.0, eligible={"covered"})
    r = fixed_price_sale(bids, 10, price=20.0, eligible={"covered", "trader"})
    assert r.awarded.tolist() == [5, 5] and r.revenue == 200.0


def test_auction_sale_guangdong_unsold_stay_in_the_reserve():
    # 1,000 offered at a reserve price of 40: valid bids 300 at 45 and 200 at 42
    # (500 at 38 is below the reserve). Undersubscribed: all 500 valid permits
    # sell at the lowest accepted bid, 42; the other 500 stay in the reserve.
    reserve = Reserve(permits=1_200)
    bids = Bids(bidder=["a", "b", "c"], price=[45.0, 42.0, 38.0], quantity=[300, 200, 500])
    record = reserve.sell_by_auction(bids, 1_000, reserve_price=40.0)
    assert record.result is not None and record.result.status == "undersubscribed"
    assert record.price == 42.0
    assert record.permits == -500 and record.circulation == 500
    assert record.cash_cents == 500 * 4200
    assert reserve.permits == 700  # 1,200 - 500: the unsold 500 never left


def test_pay_as_bid_sale_books_each_bid():
    reserve = Reserve(permits=10)
    bids = Bids(bidder=["a", "b", "c"], price=[12.0, 10.0, 8.0], quantity=[4, 4, 4])
    record = reserve.sell_by_auction(bids, 10, auction="pay_as_bid")
    # a 4 x 12, b 4 x 10, c 2 x 8.
    assert record.cash_cents == 4_800 + 4_000 + 1_600
    assert [t.cents for t in record.transfers] == [4_800, 4_000, 1_600]


def test_book_sale_of_a_containment_auction():
    from allocation.containment import containment_auction

    reserve = Reserve(permits=110)
    bids = Bids(bidder=["a", "b", "c"], price=[20.0, 14.0, 8.0], quantity=[60, 45, 30])
    out = containment_auction(bids, 100, reserve_price=2.38, ccr_trigger=13.0, ccr_quantity=10)
    record = reserve.book_sale(out.result, note="CCR partly sold")
    assert record.cash_cents == 105 * 1300
    assert reserve.permits == 5


# ------------------------------------------------------------ repurchases


def test_repurchase_uniform_within_budget():
    # Uniform at the highest accepted ask: 22 permits x 11.00 = 242.00 <= 250.00
    # (23 x 11 = 253 does not fit). w and x sell 10 each, y 2; each paid 11.
    reserve = Reserve(cash=250, circulation=100)
    record = reserve.repurchase(ASKS, budget=250)
    assert record.cash_cents == -24_200
    assert record.transfers == (
        Transfer("w", -10, -11_000), Transfer("x", -10, -11_000), Transfer("y", -2, -2_200),
    )
    assert reserve.state == ReserveState(permits=22, circulation=78, cancelled=0, cash_cents=800)


def test_repurchase_budget_defaults_to_the_cash_held():
    # 180.00 of cash: pay as bid, 10 x 8 + 10 x 10 = 180 buys 20 permits.
    reserve = Reserve(cash=180, circulation=100)
    record = reserve.repurchase(ASKS, pricing="pay_as_bid")
    assert record.permits == 20 and record.cash_cents == -18_000
    assert reserve.cash_cents == 0


def test_proportional_share_prices_are_rounded_down_to_the_cent():
    # Budget 10.00, three sellers of one permit at 1.00 each. All three win
    # (1 <= 10/3). Each threshold: max(min(1, 10/1), min(1, 10/2), min(inf, 10/3))
    # = 10/3 = 3.333...; booked at 3.33 each, 9.99 in all; the cent stays.
    reserve = Reserve(cash=10, circulation=3)
    asks = Offers(price=[1.0, 1.0, 1.0], quantity=[1, 1, 1], seller=["p", "q", "r"])
    record = reserve.repurchase(asks, pricing="proportional_share")
    assert [t.cents for t in record.transfers] == [-333, -333, -333]
    assert record.cash_cents == -999
    assert reserve.cash == Decimal("0.01")


def test_proportional_share_exact_thresholds_need_no_rounding():
    # Budget 10: A 3 permits at 1, B 1 at 2; thresholds 2.5 each (see the
    # reverse-auction tests): 7.50 and 2.50.
    reserve = Reserve(cash=10, circulation=4)
    asks = Offers(price=[1.0, 2.0], quantity=[3, 1], seller=["A", "B"])
    record = reserve.repurchase(asks, pricing="proportional_share")
    assert [t.cents for t in record.transfers] == [-750, -250]
    assert reserve.cash_cents == 0


def test_fixed_price_repurchase_by_submission_order():
    # Price 12.00 for up to 25: x (ask 9) and y (ask 12) offer 30, z (13) does
    # not. In submission order: x 10, y 15. Cost 25 x 12.00 = 300.00.
    reserve = Reserve(cash=400, circulation=100)
    asks = Offers(price=[9.0, 12.0, 13.0], quantity=[10, 20, 10], seller=["x", "y", "z"])
    record = reserve.repurchase_fixed_price(asks, price=12.0, quantity=25, tie_break="time")
    assert record.transfers == (Transfer("x", -10, -12_000), Transfer("y", -15, -18_000))
    assert reserve.cash == Decimal("100.00")


def test_fixed_price_purchase_function_pays_the_set_price():
    asks = Offers(price=[5.0, 8.0, 12.0], quantity=[10, 10, 10])
    r = fixed_price_purchase(asks, 100, price=10.0)
    assert r.offer_sold.tolist() == [10, 10, 0]
    assert r.receipts is not None and r.receipts.tolist() == [100.0, 100.0, 0.0]
    assert is_budget_balanced(r) and conserves_permits(r)


# ------------------------------------------------------------ permits only


def test_set_aside_recover_cancel():
    reserve = Reserve(permits=100, circulation=900)
    reserve.set_aside(50, note="new-entrant share")
    reserve.recover(30, source="closed plant")
    reserve.cancel(20, note="ECR withheld")
    assert reserve.state == ReserveState(permits=160, circulation=870, cancelled=20, cash_cents=0)
    assert reserve.issued == 1_050
    assert [r.kind for r in reserve.ledger] == [
        "open", "set_aside", "recovery", "cancellation",
    ]


# ------------------------------------------------------------ refusals change nothing


@pytest.mark.parametrize(
    ("operation", "match"),
    [
        (lambda r: r.sell_fixed_price(Bids(bidder=["a"], price=[9.0], quantity=[5]),
                                      price=5.0, quantity=101), "quantity must be <= the 100"),
        (lambda r: r.sell_by_auction(Bids(bidder=["a"], price=[9.0], quantity=[5]), 101),
         "supply must be <= the 100"),
        (lambda r: r.repurchase(ASKS, budget=50.01), r"budget must be <= the cash held, 50.00"),
        (lambda r: r.repurchase_fixed_price(ASKS, price=10.0, quantity=6),
         "needs 60.00 but the reserve holds 50.00"),
        (lambda r: r.repurchase(Offers(price=[1.0], quantity=[1_001]), budget=1),
         "offers total 1001 permits but only 1000"),
        (lambda r: r.recover(1_001), "quantity must be <= the 1000 permits in circulation"),
        (lambda r: r.cancel(101), "quantity must be <= the 100 permits held"),
    ],
)
def test_refused_operations_change_nothing(operation, match):
    reserve = Reserve(permits=100, cash=50, circulation=1_000)
    before, ledger = reserve.state, reserve.ledger
    with pytest.raises(ValueError, match=match):
        operation(reserve)
    assert reserve.state == before and reserve.ledger == ledger


# ------------------------------------------------------------ the ledger


def test_ledger_is_append_only_and_records_are_frozen():
    reserve = Reserve(permits=10, cash=1)
    ledger = reserve.ledger
    reserve.cancel(1)
    assert len(ledger) == 1 and len(reserve.ledger) == 2
    with pytest.raises(AttributeError):
        reserve.ledger[0].permits = 99  # type: ignore[misc]
    assert isinstance(reserve.ledger, tuple)


def test_from_ledger_refuses_a_tampered_ledger():
    reserve = Reserve(permits=10, cash=1)
    reserve.cancel(4)
    opening, cancel = reserve.ledger
    forged = Record(seq=1, kind="cancellation", permits=-40, cancelled=40)
    with pytest.raises(ValueError, match="negative balance"):
        Reserve.from_ledger([opening, forged])
    wrong_way = Record(seq=1, kind="auction_sale", permits=5, circulation=-5)
    with pytest.raises(ValueError, match="wrong way"):
        Reserve.from_ledger([opening, wrong_way])
    with pytest.raises(ValueError, match="seq"):
        Reserve.from_ledger([opening, cancel, cancel])
    with pytest.raises(ValueError, match="exactly one 'open' record"):
        Reserve.from_ledger([Record(seq=0, kind="cancellation", permits=0)])
    with pytest.raises(ValueError, match="exactly one 'open' record"):
        Reserve.from_ledger([opening, Record(seq=1, kind="open", permits=1)])
    with pytest.raises(ValueError, match="must not be empty"):
        Reserve.from_ledger([])
    assert Reserve.from_ledger([opening, cancel]).state == reserve.state


# ------------------------------------------------------------ properties

cents = st.integers(0, 4_000)
prices = cents.map(lambda c: c / 100)


@st.composite
def asks(draw: st.DrawFn) -> Offers:
    n = draw(st.integers(1, 5))
    return Offers(
        price=draw(st.lists(prices, min_size=n, max_size=n)),
        quantity=draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)),
        seller=[f"s{i}" for i in range(n)],
    )


@given(
    offers=asks(),
    cash=st.integers(0, 200_000),
    demand=st.one_of(st.none(), st.integers(0, 40)),
    budget_share=st.one_of(st.none(), st.integers(0, 100)),
    cap=st.one_of(st.none(), prices),
    pricing=st.sampled_from(["uniform", "pay_as_bid", "proportional_share"]),
    rule=st.sampled_from(["last_accepted", "first_rejected"]),
    seed=st.integers(0, 99),
)
def test_repurchase_keeps_its_limits_to_the_cent(
    offers, cash, demand, budget_share, cap, pricing, rule, seed
):
    reserve = Reserve(cash=from_cents(cash), circulation=offers.total)
    budget = None if budget_share is None else from_cents(cash * budget_share // 100)
    if pricing == "proportional_share":
        demand, cap = None, None
    record = reserve.repurchase(offers, demand=demand, budget=budget, price_cap=cap,
                                pricing=pricing, price_rule=rule, rng=seed)
    sold = np.zeros(len(offers), dtype=np.int64)
    paid = np.zeros(len(offers), dtype=np.int64)
    for t in record.transfers:
        i = int(str(t.party)[1:])
        sold[i], paid[i] = -t.permits, -t.cents
    ask_cents = np.rint(offers.price * 100).astype(np.int64)
    assert (paid >= sold * ask_cents).all()  # never less than the ask
    if cap is not None:
        assert (paid <= sold * round(cap * 100)).all()  # never above the cap
        assert not sold[offers.price > cap].any()
    if demand is not None:
        assert sold.sum() <= demand
    limit = cash if budget is None else as_cents("budget", budget)
    assert -record.cash_cents == paid.sum() <= limit  # never beyond budget or cash
    assert reserve.cash_cents == cash + record.cash_cents >= 0
    assert reserve.permits == sold.sum() and reserve.circulation == offers.total - sold.sum()
    assert reserve.is_balanced()


@given(
    prices_=st.lists(prices, min_size=1, max_size=6),
    data=st.data(),
    supply=st.integers(0, 60),
    auction=st.sampled_from(["uniform_price", "pay_as_bid", "vickrey"]),
    seed=st.integers(0, 99),
)
def test_sales_book_the_auction_revenue_exactly(prices_, data, supply, auction, seed):
    n = len(prices_)
    bids = Bids(
        bidder=data.draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n)),
        price=prices_,
        quantity=data.draw(st.lists(st.integers(0, 15), min_size=n, max_size=n)),
    )
    reserve = Reserve(permits=60, cash=0, circulation=0)
    record = reserve.sell_by_auction(bids, supply, auction=auction, rng=seed)
    assert record.result is not None
    by_bidder = record.result.by_bidder().values()
    exact = sum(round(total.payment * 100) for total in by_bidder)
    assert record.cash_cents == exact == reserve.cash_cents
    assert record.permits == -record.result.sold
    assert reserve.permits + reserve.circulation == 60
    assert Reserve.from_ledger(reserve.ledger).state == reserve.state


def test_free_allocation_and_retirement_keep_the_identities():
    r = Reserve()
    r.set_aside(1_000, note="2026 cap")
    r.allocate_free(["a", "b", "a"], [300, 200, 100], note="grandfathering")
    assert (r.permits, r.circulation) == (400, 600)
    assert r.ledger[-1].transfers[0].permits == 400  # a's two entries summed
    r.retire(["a", "b"], [350, 150], note="surrendered")
    assert (r.permits, r.circulation, r.cancelled, r.issued) == (400, 100, 500, 1_000)
    assert r.permits + r.circulation + r.cancelled == r.issued
    assert r.cash_cents == 0
    assert Reserve.from_ledger(r.ledger).state == r.state


def test_free_allocation_and_retirement_refuse_what_is_not_there():
    r = Reserve(permits=10, circulation=5)
    with pytest.raises(ValueError, match=r"add up to <= the 10 permits held \(got 11\)"):
        r.allocate_free(["a"], [11])
    with pytest.raises(ValueError, match=r"<= the 5 in circulation \(got 6\)"):
        r.retire(["a"], [6])
    with pytest.raises(ValueError, match=r"permits must be >= 0"):
        r.allocate_free(["a", "b"], [5, -1])
    with pytest.raises(ValueError, match=r"one entry per party \(2\)"):
        r.allocate_free(["a", "b"], [5])
    assert (r.permits, r.circulation, len(r.ledger)) == (10, 5, 1)


@pytest.mark.parametrize(
    ("auction", "cents"),
    [
        # Supply 93 M: a's 55 M at 57.44 and c's 11 M at 54.26 win in full, b
        # takes the 27 M left at 33.23, the clearing price (3,323 cents).
        ("uniform_price", {"a": 182_765_000_000, "b": 89_721_000_000, "c": 36_553_000_000}),
        # a: 55 M x 5,744; b: 27 M x 3,323; c: 11 M x 5,426.
        ("pay_as_bid", {"a": 315_920_000_000, "b": 89_721_000_000, "c": 59_686_000_000}),
        # a displaces b's 43 M rejected at 33.23 (and 12 M left unsold at a
        # reserve of 0); b displaces 27 M of a's rejected 22.58 bid; c 11 M of
        # b's rejected permits.
        ("vickrey", {"a": 142_889_000_000, "b": 60_966_000_000, "c": 36_553_000_000}),
    ],
)
def test_a_sale_worth_billions_is_booked_to_the_cent(auction: str, cents: dict[str, int]) -> None:
    # Bidders paying billions, as in a California-Quebec quarterly auction.
    # Summed by bidder in float64 their payments lay up to 1e-5 cents from the
    # whole cents, and the booking had refused all three formats' as "not
    # whole numbers of cents".
    bids = Bids(bidder=["a", "a", "b", "c"], price=[22.58, 57.44, 33.23, 54.26],
                quantity=[50_000_000, 55_000_000, 70_000_000, 11_000_000])
    reserve = Reserve(permits=200_000_000)
    record = reserve.sell_by_auction(bids, 93_000_000, auction=auction)
    assert {t.party: t.cents for t in record.transfers} == cents
    assert record.cash_cents == reserve.cash_cents == sum(cents.values())


def test_a_payment_too_large_to_count_in_cents_is_refused() -> None:
    bids = Bids(bidder=["a"], price=[1e12], quantity=[10**9])
    reserve = Reserve(permits=10**9)
    with pytest.raises(ValueError, match=r"payments are too large to be counted to the cent"):
        reserve.sell_by_auction(bids, 10**9, auction="vickrey", reserve_price=1e12)
