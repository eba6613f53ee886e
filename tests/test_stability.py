"""The EU Market Stability Reserve, worked by hand from the legal text.

Intake: 24 % of the TNAC (16 % for the January-August 2019 tranche fed by
the 2018 publication), nothing when that share is under 200 million, rounded
to the nearest allowance; from 2024, a TNAC above 833 million and below
1 096 million feeds TNAC - 833 million. Release: 100 million (or all held)
when the TNAC is under 400 million. Invalidation: above the previous year's
auction volume in 2023, above 400 million from 2024. Each threshold is
tested on both sides; the products are worked out by hand below.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation.stability import (
    MSRRules,
    MSRUpdate,
    msr_intake,
    msr_invalidation,
    msr_release,
    msr_rules,
    msr_update,
)

M = 1_000_000


# ------------------------------------------------------------ published intakes


@pytest.mark.parametrize(
    ("tnac", "year", "intake"),
    [
        # 0.16 x 1 654 574 598 = 264 731 935.68 -> 264 731 936 ("close to 265 million").
        (1_654_574_598, 2018, 264_731_936),
        # 0.24 x 1 654 909 824 = 397 178 357.76 -> 397 178 358 (Commission, 15 May 2019).
        (1_654_909_824, 2019, 397_178_358),
        # 0.24 x 1 385 496 166 = 332 519 079.84 -> 332 519 080 ("more than 332 million").
        (1_385_496_166, 2020, 332_519_080),
        # 0.24 x 1 134 794 738 = 272 350 737.12 -> 272 350 737 (Commission, 15 May 2023).
        (1_134_794_738, 2023, 272_350_737),
        # Band: 1 023 494 202 - 833 000 000 = 190 494 202 (Commission, 2026).
        (1_023_494_202, 2026, 190_494_202),
    ],
)
def test_commission_publications(tnac, year, intake):
    assert msr_intake(tnac, year) == intake


# ------------------------------------------------------------ both sides of each threshold


@pytest.mark.parametrize(
    ("tnac", "year", "intake"),
    [
        # 2019-2023: no intake while 24 % of the TNAC is under 200 million.
        # 0.24 x 833 333 333 = 199 999 999.92 < 200 million -> 0.
        (833_333_333, 2019, 0),
        # 0.24 x 833 333 334 = 200 000 000.16 -> 200 000 000.
        (833_333_334, 2019, 200_000_000),
        (833_000_001, 2023, 0),  # above "833 million" but 24 % is only 199 920 000.24
        (0, 2021, 0),
        # 0.24 x 1 000 000 000 = 240 000 000.
        (1_000_000_000, 2021, 240_000_000),
        # 2018 tranche: 16 % under 200 million below a TNAC of 1 250 million.
        # 0.16 x 1 249 999 999 = 199 999 999.84 -> 0; 0.16 x 1 250 000 000 = 200 000 000.
        (1_249_999_999, 2018, 0),
        (1_250_000_000, 2018, 200_000_000),
        # 2024-2030: the band.
        (833_000_000, 2024, 0),  # not above 833 million; 24 % is 199 920 000 < 200 million
        (833_000_001, 2024, 1),
        (1_000_000_000, 2025, 167_000_000),  # 1 000 - 833 million
        (1_095_999_999, 2030, 262_999_999),
        # 1 096 million is not below the band's top: 0.24 x 1 096 000 000 = 263 040 000.
        (1_096_000_000, 2024, 263_040_000),
        # 0.24 x 1 110 231 162 = 266 455 478.88 -> 266 455 479.
        (1_110_231_162, 2024, 266_455_479),
    ],
)
def test_intake_on_both_sides_of_each_threshold(tnac, year, intake):
    assert msr_intake(tnac, year) == intake


def test_band_rule_changes_2024_not_2023():
    # The same TNAC of 900 million: 24 % is 216 000 000 in 2023; the band gives
    # 900 - 833 = 67 million in 2024.
    assert msr_intake(900 * M, 2023) == 216 * M
    assert msr_intake(900 * M, 2024) == 67 * M


def test_whole_number_floats_are_accepted():
    assert msr_intake(1_000_000_000.0, 2021) == 240 * M  # type: ignore[arg-type]


def test_custom_rules_store_whole_number_floats_as_ints():
    # 833e6 is accepted as the whole number it is, and kept as that int: every
    # quantity the rules compute is then an int, exactly (2**62 + 1 has no float).
    rules = MSRRules(year=2031.0, rate=Fraction(1, 2), minimum=100e6,  # type: ignore[arg-type]
                     band=(1.0, 2.0**63), months=12.0,  # type: ignore[arg-type]
                     release_threshold=400e6, release=100e6,  # type: ignore[arg-type]
                     invalidation="fixed", invalidation_threshold=400e6,  # type: ignore[arg-type]
                     sources=("scenario",))
    assert rules.intake(2**62 + 1) == 2**62
    assert type(rules.released(0, 500 * M)) is int
    update = rules.update(M * 1000, 0)
    assert update == MSRUpdate(600 * M, 0, 100 * M, 300 * M)
    assert all(type(x) is int for x in update)
    assert rules.band is not None
    assert all(type(x) is int for x in (rules.year, rules.minimum, rules.months, *rules.band))


def test_scaling_refuses_a_factor_that_closes_the_band():
    with pytest.raises(ValueError, match=r"factor 1e-09 is too small: it shrinks the band "
                                         r"\(833000000, 1096000000\) to \(1, 1\)"):
        msr_rules(2026).scaled(1e-9)
    # An int factor is scaled exactly, however large.
    assert msr_rules(2026).scaled(10**400).release == 10**408


# ------------------------------------------------------------ release


@pytest.mark.parametrize(
    ("tnac", "held", "release"),
    [
        (399_999_999, 500 * M, 100 * M),
        (400_000_000, 500 * M, 0),
        (0, 500 * M, 100 * M),
        (300 * M, 60 * M, 60 * M),  # fewer than 100 million held: all of it
        (300 * M, 0, 0),
        (900 * M, 500 * M, 0),
    ],
)
def test_release_below_400_million(tnac, held, release):
    assert msr_release(tnac, 2025, held=held) == release
    assert msr_release(tnac, 2019, held=held) == release  # not doubled in 2018


# ------------------------------------------------------------ invalidation


def test_invalidation_by_year():
    assert msr_invalidation(3_000 * M, 2022) == 0  # none before 2023
    # 2023: above the previous year's auction volume.
    assert msr_invalidation(3_000 * M, 2023, auctioned_previous_year=550 * M) == 2_450 * M
    assert msr_invalidation(500 * M, 2023, auctioned_previous_year=550 * M) == 0
    # 2024 on: above 400 million.
    assert msr_invalidation(400_000_001, 2024) == 1
    assert msr_invalidation(400_000_000, 2024) == 0
    assert msr_invalidation(1_000 * M, 2030) == 600 * M


def test_update_books_a_year_in_order():
    # 2023: 2 900 million held; invalid above 500 million auctioned in 2022:
    # 2 400 million; TNAC 1 134 794 738 feeds 272 350 737; held after: 772 350 737.
    step = msr_update(2_900 * M, 1_134_794_738, 2023, auctioned_previous_year=500 * M)
    assert step == MSRUpdate(2_400 * M, 272_350_737, 0, 772_350_737)
    # 2027: 450 million held -> 50 million invalid; TNAC 350 million releases 100.
    assert msr_update(450 * M, 350 * M, 2027) == MSRUpdate(50 * M, 0, 100 * M, 300 * M)


def test_rules_table():
    assert msr_rules(2018).months == 8
    assert msr_rules(2018).rate == Fraction(16, 100)
    assert msr_rules(2022).band is None and msr_rules(2022).invalidation == "none"
    assert msr_rules(2023).invalidation == "auction_volume"
    r = msr_rules(2030)
    assert (r.rate, r.minimum, r.band) == (Fraction(24, 100), 200 * M, (833 * M, 1_096 * M))
    assert any("2015/1814" in s for s in r.sources)
    assert any("2023/959" in s for s in r.sources)


def test_custom_rules_for_scenarios_after_2030():
    # 12 %, 100 million minimum: 0.12 x 833 333 333 = 99 999 999.96 -> nothing;
    # 0.12 x 833 333 334 = 100 000 000.08 -> 100 000 000.
    rules = MSRRules(year=2031, rate=Fraction(12, 100), minimum=100 * M, band=None, months=12,
                     release_threshold=400 * M, release=100 * M, invalidation="none",
                     invalidation_threshold=None, sources=("scenario",))
    assert rules.intake(833_333_333) == 0
    assert rules.intake(833_333_334) == 100 * M


# ------------------------------------------------------------ properties

tnacs = st.integers(0, 3_000 * M)
years = st.integers(2018, 2030)


@given(a=tnacs, b=tnacs, year=years)
def test_intake_never_falls_as_the_surplus_grows(a, b, year):
    lo, hi = sorted((a, b))
    assert 0 <= msr_intake(lo, year) <= msr_intake(hi, year) <= hi


@given(tnac=tnacs, year=years)
def test_intake_is_the_rounded_share_or_the_band(tnac, year):
    rules = msr_rules(year)
    share = rules.rate * tnac
    intake = msr_intake(tnac, year)
    if rules.band is not None and rules.band[0] < tnac < rules.band[1]:
        assert intake == tnac - rules.band[0]
    elif share < 200 * M:
        assert intake == 0
    else:
        assert abs(intake - share) <= Fraction(1, 2)


@given(held=st.integers(0, 4_000 * M), tnac=tnacs, year=years,
       auctioned=st.integers(0, 1_000 * M))
def test_update_conserves_allowances(held, tnac, year, auctioned):
    step = msr_update(held, tnac, year, auctioned_previous_year=auctioned)
    assert step.held == held - step.invalidated + step.intake - step.release
    assert 0 <= step.release <= held - step.invalidated
    assert step.intake == 0 or step.release == 0  # never both in one year
    assert step.held >= 0
