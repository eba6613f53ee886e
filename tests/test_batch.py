"""Batch clearing equals clearing each auction alone."""

from __future__ import annotations

import math
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from auctions import FORMATS, Bids
from auctions import batch as batch_module
from auctions.batch import batch_seeds, clear_batch
from tests import strategies as s

#: Prices a few units in the last place apart, and both zeros: the packed sort
#: keys of the batch engine put such prices in one bucket.
close_prices = st.sampled_from([
    0.0, -0.0, 5e-324, 1.0, math.nextafter(1.0, 2.0),
    math.nextafter(math.nextafter(1.0, 2.0), 2.0), 2.0, math.nextafter(2.0, 0.0),
    1e6, math.nextafter(1e6, math.inf),
])


@st.composite
def batches(draw: st.DrawFn) -> dict[str, Any]:
    a = draw(st.integers(1, 5))
    n = draw(st.integers(1, 6))
    lot = draw(s.lot_sizes)
    # Whole lots, or lots too large for the packed keys (the exact fallback).
    scale = draw(st.sampled_from([1, 1, 1, 2**45]))
    cell_price = draw(st.sampled_from([s.prices, close_prices]))
    price = draw(st.lists(st.lists(cell_price, min_size=n, max_size=n), min_size=a, max_size=a))
    lots = draw(st.lists(st.lists(st.integers(0, 5), min_size=n, max_size=n),
                         min_size=a, max_size=a))
    supply = draw(st.lists(st.integers(0, 20), min_size=a, max_size=a))
    return {
        "price": np.array(price, dtype=float),
        "quantity": np.array(lots, dtype=np.int64) * lot * scale,
        "supply": np.array(supply) * lot * scale,
        "reserve_price": np.array(draw(st.lists(s.prices, min_size=a, max_size=a))),
        "price_rule": draw(s.price_rules),
        "tie_break": draw(s.tie_breaks),
        "lot_size": lot,
        "bidder_limit": draw(st.one_of(st.none(), st.sampled_from([0.3, 0.5, 1.0]))),
        "on_undersubscribed": draw(st.sampled_from(["sell", "cancel"])),
        "min_price": draw(st.one_of(st.none(), s.prices)),
        "rng": draw(st.integers(0, 2**32 - 1)),
    }


_HUGE_TIE = {  # pro-rata products of 2^45-permit lots overflowed int64 (fixed)
    "price": np.zeros((1, 2)), "quantity": np.array([[2**45, 2**45]]),
    "supply": np.array([2**45 + 1]), "reserve_price": np.zeros(1),
    "price_rule": "last_accepted", "tie_break": "pro_rata", "lot_size": 1,
    "bidder_limit": None, "on_undersubscribed": "sell", "min_price": None, "rng": 0,
}

_HUGE_VICKREY = {  # payments of about 7e18 whose rounding differs by 410 (found by a long run)
    "price": np.array([[1e6, math.nextafter(1e6, math.inf), 0.0, math.nextafter(1e6, math.inf),
                        math.nextafter(1e6, math.inf)]]),
    "quantity": np.array([[2**45, 2**45, 0, 2**45, 2**45]]), "supply": np.array([2**45]),
    "reserve_price": np.array([0.5]), "price_rule": "last_accepted", "tie_break": "pro_rata",
    "lot_size": 1, "bidder_limit": 0.3, "on_undersubscribed": "sell", "min_price": None,
    "rng": 0,
}


@pytest.mark.parametrize("chunk_bids", [None, 5])
@pytest.mark.parametrize("name", sorted(FORMATS))
@given(case=batches())
@example(case=_HUGE_TIE)
@example(case=_HUGE_VICKREY)
def test_batch_equals_each_auction_alone(name, chunk_bids, case):
    # chunk_bids=5 clears a row or two at a time, so that chunk boundaries
    # (row offsets for seeds and messages) are crossed in every batch.
    with mock.patch.object(batch_module, "_CHUNK_BIDS", chunk_bids or batch_module._CHUNK_BIDS):
        batch = clear_batch(format=name, **case)
    seeds = batch_seeds(case["rng"], len(case["price"]))
    options = {k: v for k, v in case.items()
               if k not in ("price", "quantity", "supply", "reserve_price", "rng")}
    n = case["price"].shape[1]
    for i, seed in enumerate(seeds):
        alone = FORMATS[name](
            Bids(bidder=np.arange(n), price=case["price"][i], quantity=case["quantity"][i]),
            int(case["supply"][i]), reserve_price=float(case["reserve_price"][i]),
            rng=seed, **options,
        )
        assert np.array_equal(batch.awarded[i], alone.awarded)
        assert batch.status[i] == alone.status
        same_price = batch.clearing_price[i] == alone.clearing_price or (
            math.isnan(batch.clearing_price[i]) and math.isnan(alone.clearing_price))
        assert same_price
        if name == "vickrey":
            # Vickrey payments are differences of running sums of price x
            # quantity, summed in another order: equal to the rounding of
            # those sums (with 2^45-permit bids, a few hundred currency units).
            scale = float((case["price"][i] * case["quantity"][i]).sum())
            np.testing.assert_allclose(batch.payments[i], alone.payments, rtol=1e-12,
                                       atol=1e-9 + 1e-14 * scale)
        else:
            assert np.array_equal(batch.payments[i], alone.payments)
            assert batch.revenue[i] == alone.revenue


def test_pro_rata_shares_of_huge_lots_do_not_overflow():
    # 3 and 2 lots of 2^45 permits tie for 4 * 2^45 + 3 permits: the pro-rata
    # products (2^45 * 2^47) leave int64 and must be taken exactly.
    big = 2**45
    price, quantity = np.array([[5.0, 5.0, 5.0]]), np.array([[3 * big, 2 * big, 2 * big]])
    batch = clear_batch(price, quantity, [4 * big + 3], rng=1)
    alone = FORMATS["uniform_price"](Bids(bidder=np.arange(3), price=price[0],
                                          quantity=quantity[0]),
                                     4 * big + 3, rng=batch_seeds(1, 1)[0])
    assert batch.awarded.tolist() == [alone.awarded.tolist()]
    assert int(batch.awarded.sum()) == 4 * big + 3


def test_batch_example_by_hand():
    # Row 0: supply 3; bids 9x2, 7x2, 5x2 -> 9 gets 2, 7 gets 1; price 7.
    # Row 1: supply 4; bids 4x2, 8x2, 6x2 -> 8 and 6 filled; price 6.
    r = clear_batch([[9.0, 7.0, 5.0], [4.0, 8.0, 6.0]], [[2, 2, 2], [2, 2, 2]], [3, 4],
                    format="vickrey")
    assert r.awarded.tolist() == [[2, 1, 0], [0, 2, 2]]
    # Vickrey, row 0: bidder 0 displaces 7's rejected lot (7) and 5's (5): 12;
    # bidder 1 displaces one of 5's lots: 5. Row 1: each displaces 4's two lots: 8.
    assert r.payments.tolist() == [[12.0, 5.0, 0.0], [0.0, 8.0, 8.0]]
    assert r.auction(1).by_bidder()[1].payment == 8.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"price": [1.0, 2.0]}, ValueError, r"price must be a non-empty 2-D array"),
        ({"price": [[1.0, math.nan]]}, ValueError, r"price must be finite \(got nan at \[0, 1"),
        ({"quantity": [[1, -1]]}, ValueError, r"quantity must be >= 0 \(got -1 at \[0, 1\]\)"),
        ({"quantity": [[1.5, 1]]}, ValueError, r"quantity must be whole numbers"),
        ({"quantity": [[1, 1, 1]]}, ValueError, r"shapes differ"),
        ({"supply": [1, 2]}, ValueError, r"supply must be a number or have one value per auction"),
        ({"supply": -1}, ValueError, r"supply must be >= 0 \(got -1\)"),
        # Supplies beyond int64 are refused, not wrapped to -2**63 or cast from floats.
        ({"supply": 2**63}, ValueError, r"supply must be below 2\*\*63 \(got 92233720368547"),
        ({"supply": [2**70]}, ValueError, r"supply must be below 2\*\*63 \(got 11805916207174"),
        ({"supply": [1e19]}, ValueError, r"supply must be below 2\*\*63 \(got 1000000000000000"),
        ({"supply": np.array([2**63], dtype=np.uint64)}, ValueError, r"supply must be below 2"),
        ({"supply": [True]}, TypeError, r"supply must be a whole number \(got True\)"),
        ({"supply": ["3"]}, TypeError, r"supply must be a whole number \(got '3'\)"),
        ({"supply": [math.nan]}, TypeError, r"supply must be a whole number \(got nan\)"),
        ({"lot_size": 2**64}, ValueError, r"lot_size must be below 2\*\*63"),
        ({"reserve_price": math.inf}, ValueError, r"reserve_price must be finite"),
        ({"format": "dutch"}, ValueError, r"format must be one of"),
        ({"tie_break": "coin"}, ValueError, r"tie_break must be one of"),
        ({"lot_size": 2, "supply": 2}, ValueError,
         r"quantity must be whole multiples of lot_size=2 \(got 1 at \[0, 0\]\)"),
        ({"lot_size": 2, "quantity": [[2, 2]]}, ValueError,
         r"supply must be whole multiples of lot_size=2 \(got 1 at \[0\]\)"),
        ({"price": [[1.0, 2.0], [1e308, 1e308]], "quantity": [[1, 1], [1, 1]]}, ValueError,
         r"price x quantity must have a finite total in each auction \(auction 1 is worth "
         r"more than 1.798e\+308: largest price 1e\+308, 2 permits\)"),
        ({"price": [[1.0, 2.0], [1.0, 1.0]], "quantity": [[1, 1], [2**62, 2**62]]}, ValueError,
         r"quantity must total less than 2\*\*63 permits in each auction \(auction 1 has "
         r"9223372036854775808\)"),
    ],
)
def test_bad_batch_arguments(kwargs, error, match):
    args = {"price": [[1.0, 2.0]], "quantity": [[1, 1]], "supply": 1, **kwargs}
    with pytest.raises(error, match=match):
        clear_batch(**args)


def test_a_total_just_below_2_63_is_cleared():
    # The largest total that fits in int64: the running sums stay exact.
    r = clear_batch([[1.0, 2.0]], [[2**62, 2**62 - 1]], [2**63 - 1])
    assert r.awarded.tolist() == [[2**62, 2**62 - 1]]
    assert r.sold.tolist() == [2**63 - 1]


def test_bad_cell_is_named_by_its_row_in_the_whole_batch():
    price = np.ones((6, 2))
    price[4, 1] = -1.0
    with (mock.patch.object(batch_module, "_CHUNK_BIDS", 4),
          pytest.raises(ValueError, match=r"price must be >= 0 \(got -1.0 at \[4, 1\]\)")):
        clear_batch(price, np.ones((6, 2), dtype=int), 1)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_many_bids_with_continuous_and_rounded_prices(name):
    # Large rows, where the packed-key search settles most rows without ties
    # (continuous prices) or with ties at the margin (prices in whole euros).
    rng = np.random.default_rng(11)
    price = rng.uniform(10.0, 60.0, (120, 40))
    price[::2] = np.round(price[::2])
    quantity = rng.integers(0, 9, (120, 40))
    supply = quantity.sum(axis=1) // 2
    batch = clear_batch(price, quantity, supply, format=name, rng=3)
    seeds = batch_seeds(3, 120)
    for i in range(120):
        alone = FORMATS[name](Bids(bidder=np.arange(40), price=price[i], quantity=quantity[i]),
                              int(supply[i]), rng=seeds[i])
        assert np.array_equal(batch.awarded[i], alone.awarded)
        assert batch.clearing_price[i] == alone.clearing_price
        np.testing.assert_allclose(batch.payments[i], alone.payments, rtol=1e-12)


@pytest.mark.parametrize("scale", [1, 2**60])
def test_search_of_each_row_with_and_without_the_flat_layout(scale):
    # With sums near 2^61 the rows cannot be laid end to end in int64 and are
    # searched one by one; both ways give numpy.searchsorted row by row.
    rng = np.random.default_rng(0)
    cum = np.cumsum(rng.integers(0, 3, (4, 6)), axis=1) * scale
    rows = rng.integers(0, 4, 20)
    units = rng.integers(1, 8, 20) * scale
    expected = [int(np.searchsorted(cum[r], u)) for r, u in zip(rows, units, strict=True)]
    assert batch_module._search_rows(cum, rows, units).tolist() == expected


def test_vickrey_batch_with_lots_near_the_int64_limit():
    big = 2**59
    price = np.array([[9.0, 7.0, 5.0], [4.0, 8.0, 6.0], [3.0, 2.0, 1.0]])
    quantity = np.full((3, 3), big)
    supply = [big + 5, 2 * big, 3]
    batch = clear_batch(price, quantity, supply, format="vickrey", rng=2)
    # Row 0: the bid at 7 wins 5 lots and displaces 5 of the bid at 5: it pays
    # 25, exactly, though the running sums it is read from are near 2^62.
    assert batch.payments[0, 1] == 25.0
    for i, seed in enumerate(batch_seeds(2, 3)):
        alone = FORMATS["vickrey"](Bids(bidder=np.arange(3), price=price[i],
                                        quantity=quantity[i]), supply[i], rng=seed)
        assert np.array_equal(batch.awarded[i], alone.awarded)
        # The single-auction payments are read off the same sums in another
        # order: equal to their rounding.
        scale = float((price[i] * quantity[i]).sum())
        np.testing.assert_allclose(batch.payments[i], alone.payments, rtol=1e-12,
                                   atol=1e-14 * scale)


@pytest.mark.parametrize("name", ["uniform_price", "pay_as_bid"])
def test_payments_read_later_are_not_changed_by_reusing_the_input_arrays(name):
    # Uniform-price and pay-as-bid payments are computed when first read, from
    # the result's own copies: a Monte Carlo loop that refills its buffers
    # must not change an earlier result.
    price = np.array([[9.0, 7.0, 5.0], [4.0, 8.0, 6.0]])
    quantity = np.array([[2, 2, 2], [2, 2, 2]])
    r = clear_batch(price, quantity, [3, 4], format=name)
    price[:] = 100.0
    quantity[:] = 0
    expected = {"uniform_price": [[14.0, 7.0, 0.0], [0.0, 12.0, 12.0]],
                "pay_as_bid": [[18.0, 7.0, 0.0], [0.0, 16.0, 12.0]]}[name]
    assert r.payments.tolist() == expected
    assert r.revenue.tolist() == [sum(row) for row in expected]
    assert r.payments is r.payments and not r.payments.flags.writeable
    assert r.price.tolist() == [[9.0, 7.0, 5.0], [4.0, 8.0, 6.0]]
    with pytest.raises(ValueError, match="read-only"):
        r.awarded[0, 0] = 1
