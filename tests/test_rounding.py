"""Largest remainder against Hamilton's method worked in rational arithmetic.

The reference below is the method as Balinski and Young state it, applied to
the exact rational values of the float quotas: quota ``q`` of ``total`` is
``total * q / sum(quotas)``; every share is its floor, and the permits left
go one each to the largest remainders, equal remainders by priority. It uses
:class:`fractions.Fraction` and nothing of the library.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from numpy.typing import NDArray

from allocation.rounding import largest_remainder, round_half_up
from auctions._exact import dyadic_sum


def hamilton(quotas: list[float], total: int, priority: list[int]) -> list[int]:
    mass = sum(Fraction(x) for x in quotas)
    exact = [Fraction(x) * total / mass for x in quotas]
    shares = [math.floor(e) for e in exact]
    left = total - sum(shares)
    order = sorted(range(len(quotas)), key=lambda i: (-(exact[i] - shares[i]), priority[i]))
    for i in order[:left]:
        shares[i] += 1
    return shares


def near(base: float) -> st.SearchStrategy[float]:
    """Floats a few units in the last place from ``base``: remainders that
    float64 cannot tell apart."""
    return st.integers(-8, 8).map(lambda k: base * (1 + k * 2.0**-52))


quota_values = st.one_of(
    st.floats(0.0, 1e6, allow_subnormal=True),
    st.floats(0.0, 1e308),
    st.floats(0.0, 1e-300, allow_subnormal=True),
    st.integers(0, 1000).map(lambda x: x / 7),
)


@st.composite
def apportionments(draw: st.DrawFn) -> tuple[list[float], int, list[int] | None]:
    kind = draw(st.sampled_from(["any", "near", "scaled"]))
    size = draw(st.integers(1, 12))
    if kind == "any":
        quotas = draw(st.lists(quota_values, min_size=size, max_size=size))
    elif kind == "near":
        base = draw(st.floats(1e-3, 1e9))
        quotas = draw(st.lists(near(base), min_size=size, max_size=size))
    else:  # one shape of quotas at a scale near the ends of the float range
        scale = draw(st.sampled_from([2.0**-1070, 2.0**-1000, 1.0, 2.0**900, 2.0**1000]))
        quotas = [x * scale for x in draw(st.lists(st.integers(0, 50), min_size=size,
                                                   max_size=size))]
    assume(any(x > 0 for x in quotas) and all(math.isfinite(x) for x in quotas))
    total = draw(st.one_of(st.integers(0, 1000), st.integers(0, 10**9),
                           st.integers(2**50, 2**63 - 1)))
    priority = draw(st.none() | st.permutations(range(size)))
    return quotas, total, None if priority is None else list(priority)


@given(apportionments())
@example(([5e-324, 5e-324, 1e-323], 3, None))  # was -2**63 each: the scale overflowed
@example(([1e308, 1e308, 1e308], 4, None))  # raised OverflowError summing the quotas
@example(([0.10000000000000007, 0.09999999999999996, 0.10000000000000009], 845449470415, None))
def test_largest_remainder_is_hamilton_s_method_in_exact_arithmetic(
    case: tuple[list[float], int, list[int] | None],
) -> None:
    quotas, total, priority = case
    expected = hamilton(quotas, total, priority or list(range(len(quotas))))
    assert largest_remainder(quotas, total, priority=priority).tolist() == expected


def test_remainders_closer_than_float64_can_tell_are_ranked_exactly() -> None:
    # Four quotas within 2^-50 of 3 share 36 840 821 permits: floors of
    # 9 210 205 each leave one permit, which goes to the second quota (exact
    # remainders 0.2500000007, 0.2500000020, 0.2499999966 and 0.2500000007).
    # Ranked by their float64 approximations it went to the first.
    quotas = [2.9999999999999987, 2.999999999999999, 2.9999999999999973, 2.9999999999999987]
    mass = sum(Fraction(x) for x in quotas)
    rest = [Fraction(x) * 36_840_821 / mass - 9_210_205 for x in quotas]
    assert max(rest) == rest[1] and all(r < rest[1] for i, r in enumerate(rest) if i != 1)
    out = largest_remainder(quotas, 36_840_821)
    assert out.tolist() == [9_210_205, 9_210_206, 9_210_205, 9_210_205]


def test_a_total_beyond_int64_is_refused() -> None:
    with pytest.raises(ValueError, match=r"total must be below 2\*\*63.*9223372036854775808"):
        largest_remainder([1.0, 2.0], 2**63)
    assert largest_remainder([1.0, 2.0], 2**63 - 1).sum() == 2**63 - 1


@given(st.lists(st.one_of(st.floats(0.0, 1e308, allow_subnormal=True),
                          st.sampled_from([0.0, 5e-324, 1e308, 0.1])), max_size=40))
def test_dyadic_sum_is_the_exact_sum(values: list[float]) -> None:
    whole, exponent = dyadic_sum(np.array(values, dtype=np.float64))
    assert Fraction(whole) * Fraction(2) ** exponent == sum(Fraction(x) for x in values)


@given(st.lists(st.one_of(st.floats(0.0, 2.0**63, exclude_max=True),
                          st.integers(0, 2**53).map(lambda k: k / 2),
                          st.sampled_from([0.49999999999999994, 2.0**52 + 1, 2.0**63 - 1024])),
                max_size=20))
@example([0.49999999999999994, 2.0**52 + 1, 2.0**52 + 0.5])
def test_round_half_up_is_exact(values: list[float]) -> None:
    expected = [math.floor(Fraction(x) + Fraction(1, 2)) for x in values]
    assert round_half_up(values).tolist() == expected


def test_round_half_up_refuses_values_beyond_int64() -> None:
    with pytest.raises(ValueError, match=r"below 2\*\*63.*1e\+19 at index 1"):
        round_half_up([1.0, 1e19])


# ----------------------------------------------------------- fixed defects


@pytest.mark.parametrize(
    ("quotas", "total", "priority", "error", "message"),
    [
        # Fell back to row order against the documented "distinct rank".
        ([1.0, 1.0, 1.0], 7, [2, 2, 0], ValueError,
         "priority must hold a distinct rank per quota .*2 at indices 0 and 1"),
        ([1.0, 2.0, 3.0], 6, [5, 1, 5], ValueError, "distinct rank .*5 at indices 0 and 2"),
        # Accepted whenever there was no tie to break.
        ([1.0, 2.0, 3.0], 6, range(1), ValueError, r"one entry per quota \(got shape \(1,\)\)"),
        ([1.0, 2.0, 3.0], 6, "abc", TypeError, "priority must hold real numbers"),
        ([1.0, 2.0, 3.0], 6, [True, False, True], TypeError, "priority must hold real numbers"),
        ([1.0, 1.0, 1.0], 2, [math.nan, 0.0, 1.0], ValueError,
         "priority must be finite .*nan at index 0"),
    ],
)
def test_priority_is_checked_up_front(
    quotas: list[float], total: int, priority: object, error: type[Exception], message: str,
) -> None:
    with pytest.raises(error, match=message):
        largest_remainder(quotas, total, priority=priority)  # type: ignore[arg-type]


def test_real_priorities_rank_like_integers() -> None:
    assert largest_remainder([1, 1, 1], 7, priority=[0.5, -1.0, 2.0]).tolist() == [2, 3, 2]


class _Lazy:
    """A priority read only through ``__array__`` (as the rules' lazy id ranks)."""

    def __init__(self, ranks: list[int]) -> None:
        self.ranks, self.reads = ranks, 0

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray[Any]:
        self.reads += 1
        out: NDArray[Any] = np.asarray(self.ranks, dtype=dtype)
        return out


def test_a_lazy_priority_is_read_and_checked_only_on_a_tie() -> None:
    no_tie = _Lazy([0, 0])
    assert largest_remainder([1.0, 2.0], 3, priority=no_tie).tolist() == [1, 2]
    assert no_tie.reads == 0
    tie = _Lazy([1, 0, 2])
    assert largest_remainder([1, 1, 1], 7, priority=tie).tolist() == [2, 3, 2]
    assert tie.reads == 1
    with pytest.raises(ValueError, match=r"distinct rank per quota .*1 at indices 0 and 1"):
        largest_remainder([1, 1, 1], 7, priority=_Lazy([1, 1, 0]))
