"""The packed-key sort of the engine: the same order as numpy.argsort up to ties."""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from auctions import FORMATS, clearing
from tests import strategies as s

#: Values whose bits differ only at the bottom, both zeros, and negatives: the
#: cases where dropping the low bits of a value could reorder it.
awkward = st.sampled_from([
    0.0, -0.0, 5e-324, -5e-324, 1.0, math.nextafter(1.0, 2.0), -1.0,
    math.nextafter(-1.0, -2.0), 60.25, math.nextafter(60.25, 0.0), -60.25, 1e300, -1e300,
])
values = st.lists(st.one_of(awkward, st.floats(-1e6, 1e6)), min_size=1, max_size=60)


@given(values=values)
def test_packed_sort_orders_like_numpy(values):
    arr = np.array(values)
    with mock.patch.object(clearing, "_PACKED_SORT_MIN", 0):
        order, ordered = clearing._argsort(arr)
    assert sorted(order.tolist()) == list(range(arr.size))
    assert np.array_equal(ordered, arr[order])
    assert np.array_equal(ordered, np.sort(arr))


def test_values_one_ulp_apart_fall_back_to_an_exact_sort():
    # 2^15 values, so the row takes 15 bits and values 1 ulp apart share a key.
    rng = np.random.default_rng(4)
    base = rng.uniform(10.0, 60.0, 2**14)
    arr = np.concatenate([base, np.nextafter(base, 0.0)])
    rng.shuffle(arr)
    order, ordered = clearing._argsort(arr)
    assert np.array_equal(ordered, np.sort(arr))
    assert np.array_equal(arr[order], ordered)


@given(case=s.auction_cases(), name=st.sampled_from(sorted(FORMATS)))
def test_the_engine_gives_the_same_result_with_the_packed_sort(case, name):
    plain = FORMATS[name](**case)
    with mock.patch.object(clearing, "_PACKED_SORT_MIN", 0):
        packed = FORMATS[name](**case)
    assert np.array_equal(plain.awarded, packed.awarded)
    assert np.array_equal(plain.payments, packed.payments)
    assert plain.status == packed.status
    assert plain.clearing_price == packed.clearing_price or (
        math.isnan(plain.clearing_price) and math.isnan(packed.clearing_price))
