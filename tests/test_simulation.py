"""Multi-period scenarios: the ledger conserves permits, banks carry over, files round-trip."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from allocation import Firms
from allocation.abatement import LinearMAC
from allocation.files import InputFileError
from allocation.simulation import Scenario, load_scenario, simulate
from allocation.stability import MSRRules, msr_rules


def test_example_conserves_every_permit_and_follows_the_cap_path():
    s = Scenario.example(years=6)
    # Linear reduction: 2.2% of the first cap, 2,200 permits, every year.
    assert s.cap_path() == [100_000, 97_800, 95_600, 93_400, 91_200, 89_000]
    r = simulate(s, rng=3)
    assert r.conserves_permits()
    for y in r.years:
        # Free allocation plus the auctioned share exhaust the cap (no reserve share here).
        assert y.free + round(0.3 * y.cap) == y.cap
        assert y.surrendered + y.shortfall == y.emissions
    first = r.years[0]
    assert first.free_new_entrants == 0          # nobody new in 2026
    assert r.years[1].free_new_entrants > 0      # the gas plant enters in 2027
    assert r.years[2].recovered >= 0             # the kiln closes in 2028
    assert r.account.cash_cents == round(sum(y.auction_revenue for y in r.years) * 100)


def test_closed_installations_get_nothing_and_give_their_permits_back():
    s = Scenario.example(years=4)
    r = simulate(s, rng=0)
    kiln = list(s.firms.id).index("cement-1")
    transfers = [t for rec in r.account.ledger if rec.kind == "free_allocation"
                 and rec.note.startswith("2028") for t in rec.transfers]
    assert kiln not in {t.party for t in transfers}
    assert r.conserves_permits()


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(1, 4))
    years = draw(st.integers(1, 4))
    history = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    entry = draw(st.lists(st.sampled_from([2000, 2026, 2027]), min_size=n, max_size=n))
    closure = draw(st.lists(st.sampled_from([math.nan, 2027, 2028]), min_size=n, max_size=n))
    closure = [c if math.isnan(c) or c > e else math.nan for c, e in zip(closure, entry,
                                                                        strict=True)]
    emissions = [[float(h)] if e < 2025 else [math.nan] for h, e in zip(history, entry,
                                                                        strict=True)]
    output = [[float(h) + 1.0] if e < 2025 else [math.nan] for h, e in zip(history, entry,
                                                                           strict=True)]
    firms = Firms(list(range(n)), product="p", entry_year=entry, base_years=[2024],
                  emissions=emissions, output=output,
                  current_output=[float(h) + 1.0 for h in history], closure_year=closure)
    rule = draw(st.sampled_from(["grandfathering", "benchmarking"]))
    options = {"benchmarks": {"p": 0.9}, "activity": "current"} if rule == "benchmarking" else {}
    return Scenario(
        firms=firms, bau=np.array(draw(st.lists(st.integers(0, 600), min_size=n, max_size=n)),
                                  dtype=float),
        mac=LinearMAC(draw(st.lists(st.sampled_from([0.05, 0.1, 0.5, 1.0]), min_size=n,
                                    max_size=n))),
        start_year=2026, years=years, cap=draw(st.integers(0, 2000)),
        reduction=draw(st.sampled_from([0.0, 0.1])), rule=rule, rule_options=options,
        auction_share=draw(st.sampled_from([0.0, 0.25, 1.0])),
        reserve_price=draw(st.sampled_from([0.0, 5.0])),
        reoffer_unsold=draw(st.booleans()), banking=draw(st.booleans()),
        penalty=draw(st.sampled_from([10.0, 100.0])), bid_levels=5,
        band_reference=draw(st.sampled_from([None, 2.0, 8.0])),
        band_tranche=draw(st.sampled_from([0, 50, 500])),
        msr=draw(st.sampled_from([None, SMALL_MSR, msr_rules(2023).scaled(1e-6)])),
    )


#: A stability reserve for a market of a few hundred permits: 24 % of a
#: surplus above 100 withheld, 50 released below 40, holdings above 300
#: invalidated.
SMALL_MSR = MSRRules(year=0, rate=Fraction(24, 100), minimum=24, band=None, months=12,
                     release_threshold=40, release=50, invalidation="fixed",
                     invalidation_threshold=300, sources=("test",))


@given(scenario=scenarios(), seed=st.integers(0, 99))
def test_the_multi_year_ledger_conserves_permits(scenario, seed):
    r = simulate(scenario, rng=seed)
    assert r.conserves_permits()
    a = r.account
    assert a.permits + a.circulation + a.cancelled == sum(scenario.cap_path())
    for y in r.years:
        assert y.surrendered + y.shortfall == y.emissions
        assert y.sold <= y.offered
        if not scenario.banking:
            assert y.banked == 0
    # What is banked at the end of a year is what the installations hold.
    assert int(r.holdings.sum()) == r.years[-1].banked
    # Cash is exactly the auction revenue plus what the band's sales and purchases moved.
    band_cents = sum(round(float(f.band_paid.sum()) * 100) for f in r.firm_years)
    assert a.cash_cents == sum(round(y.auction_revenue * 100) for y in r.years) + band_cents
    for y in r.years:
        assert y.band_sold <= scenario.band_tranche and y.band_bought <= scenario.band_tranche
    # The stability reserve's holdings follow its intake, release and invalidation,
    # and stay in the account (never sold by the auction or the band).
    held = 0
    for y in r.years:
        held += y.msr_intake - y.msr_release - y.msr_invalidated
        assert y.msr_held == held >= 0
        assert y.reserve_permits >= y.msr_held
        if scenario.msr is None:
            assert y.msr_intake == y.msr_release == y.msr_invalidated == 0


def test_the_stability_reserve_withholds_a_surplus_and_releases_it():
    # One firm given a large first cap: what it banks (the TNAC) feeds the
    # reserve from the next year's auction; once its bank is used up the
    # reserve releases permits into the auction.
    firms = Firms(["a"], product="p", entry_year=2000, base_years=[2024],
                  emissions=[[300.0]], output=[[1.0]], current_output=[1.0])
    plain_scenario = Scenario(firms=firms, bau=np.array([300.0]), mac=LinearMAC([1.0]),
                              start_year=2026, years=4, cap=(1000, 200, 200, 200),
                              auction_share=0.5, bid_levels=5)
    plain = simulate(plain_scenario, rng=0)
    r = simulate(replace(plain_scenario, msr=SMALL_MSR), rng=0)
    assert r.conserves_permits()
    first, second = r.years[0], r.years[1]
    assert first.msr_intake == 0  # nothing banked before the first year
    tnac = first.banked
    assert tnac == plain.years[0].banked > 100
    # 24 % of the surplus, rounded to the nearest permit, taken from the 100 on sale.
    assert second.msr_intake == min(round(0.24 * tnac), 100) > 0
    assert second.offered == 100 - second.msr_intake
    assert second.msr_held == second.msr_intake
    # Each later year: a surplus under 40 releases 50 (or all the reserve holds).
    for before, y in zip(r.years[1:], r.years[2:], strict=False):
        if before.banked < 40:
            assert y.msr_release == min(50, before.msr_held) and y.msr_intake == 0
            assert y.offered == 100 + y.msr_release
    assert any(y.msr_release for y in r.years)


def test_msr_rules_scale_and_round_trip_through_a_scenario_file(tmp_path):
    s = replace(Scenario.example(years=3), msr=msr_rules(2026).scaled(1e-4))
    loaded = load_scenario(s.save(tmp_path / "msr.toml"))
    assert loaded.msr is not None and s.msr is not None
    for name in ("rate", "minimum", "band", "release_threshold", "release", "invalidation",
                 "invalidation_threshold"):
        assert getattr(loaded.msr, name) == getattr(s.msr, name)
    a, b = simulate(s, rng=2).table(as_frame=False), simulate(loaded, rng=2).table(as_frame=False)
    assert a == b


def test_bad_msr(tmp_path):
    s = Scenario.example(years=2)
    with pytest.raises(TypeError, match=r"msr must be MSRRules or None \(got dict\)"):
        replace(s, msr={"rate": 0.24})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"rate must be a Fraction in \[0, 1\]"):
        replace(SMALL_MSR, rate=Fraction(3, 2))
    with pytest.raises(ValueError, match=r"band must be \(lower, upper\) with lower < upper"):
        replace(SMALL_MSR, band=(10, 5))
    with pytest.raises(ValueError, match=r"invalidation must be one of"):
        replace(SMALL_MSR, invalidation="all")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"invalidation_threshold is given exactly when"):
        replace(SMALL_MSR, invalidation="none")
    with pytest.raises(ValueError, match=r"factor must be finite and > 0 \(got 0.0\)"):
        SMALL_MSR.scaled(0.0)
    path = replace(s, msr=SMALL_MSR).save(tmp_path / "m.toml")
    text = path.read_text()
    path.write_text(text.replace('rate = "6/25"', 'rate = "a quarter"'))
    with pytest.raises(InputFileError, match=r"reserve.msr.rate must be a fraction"):
        load_scenario(path)
    path.write_text(text.replace('rate = "6/25"', 'rate = 0.24\nband = [1, 2, 3]'))
    with pytest.raises(InputFileError, match=r"reserve.msr.band must be \[lower, upper\]"):
        load_scenario(path)


def test_banked_permits_carry_over():
    # One firm, a generous cap, no auction: it banks what it does not need and
    # needs fewer permits next year.
    firms = Firms(["a"], product="p", entry_year=[2000], base_years=[2024],
                  emissions=[[100.0]], output=[[100.0]], current_output=[100.0])
    s = Scenario(firms=firms, bau=np.array([60.0]), mac=LinearMAC([1.0]), start_year=2026,
                 years=2, cap=100)
    r = simulate(s)
    assert [y.banked for y in r.years] == [40, 80]
    assert [y.surrendered for y in r.years] == [60, 60]
    no_bank = simulate(Scenario(**{**_fields(s), "banking": False}))
    assert [y.expired for y in no_bank.years] == [40, 40]
    assert no_bank.conserves_permits()


def _fields(s: Scenario) -> dict[str, Any]:
    from dataclasses import fields

    return {f.name: getattr(s, f.name) for f in fields(s)}


def test_scenario_files_round_trip(tmp_path):
    s = Scenario.example(years=3)
    path = s.save(tmp_path / "market.toml")
    assert (tmp_path / "market_firms.csv").exists()
    loaded = load_scenario(path)
    assert loaded.cap_path() == s.cap_path()
    assert loaded.firms.id.tolist() == s.firms.id.tolist()
    a, b = simulate(s, rng=5).table(as_frame=False), simulate(loaded, rng=5).table(as_frame=False)
    assert a == b


def test_bad_scenarios(tmp_path):
    s = Scenario.example(years=3)
    base = _fields(s)
    with pytest.raises(ValueError, match=r"must not rise .* \(got 90 in 2027 then 95 in 2028\)"):
        Scenario(**{**base, "cap": (100, 90, 95)})
    with pytest.raises(ValueError, match=r"cap must give one cap per year \(3\); got 2"):
        Scenario(**{**base, "cap": (100, 90)})
    with pytest.raises(ValueError, match=r"bau must be finite and >= 0 \(got -1.0 at index 0\)"):
        Scenario(**{**base, "bau": np.array([-1.0, *s.bau[1:]])})
    with pytest.raises(ValueError, match=r"rule"):
        Scenario(**{**base, "rule": "lottery"})
    with pytest.raises(ValueError, match=r"reduction must be in \(0, 1\] \(got 1.5\)"):
        Scenario(**{**base, "reduction": 1.5})
    with pytest.raises(ValueError, match=r"price_rule must be one of"):
        Scenario(**{**base, "price_rule": "median"})
    with pytest.raises(TypeError, match="scenario must be a Scenario"):
        simulate("market.toml")  # type: ignore[arg-type]
    path = s.save(tmp_path / "m.toml")
    csv_path = tmp_path / "m_firms.csv"
    lines = csv_path.read_text().splitlines()
    lines[2] = lines[2].replace(",0.006,", ",steep,")
    csv_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputFileError, match=r"m_firms.csv, line 3, field 'mac_slope': 'steep'"):
        load_scenario(path)
    (tmp_path / "bad.toml").write_text('name = "x"\nfirms = "m_firms.csv"\nyears = 2\n')
    with pytest.raises(InputFileError, match=r"bad.toml, field 'start_year': is missing"):
        load_scenario(tmp_path / "bad.toml")
    with pytest.raises(InputFileError, match=r"nothing.toml: cannot be read"):
        load_scenario(tmp_path / "nothing.toml")


@given(scenario=scenarios(), seed=st.integers(0, 99))
def test_per_firm_records_add_up_to_the_year(scenario, seed):
    r = simulate(scenario, rng=seed)
    for y, f in zip(r.years, r.firm_years, strict=True):
        assert int(f.free.sum()) == y.free
        assert int(f.bought_at_auction.sum()) == y.sold
        assert math.fsum(f.paid_at_auction) == pytest.approx(y.auction_revenue)
        assert int(f.net_trade.sum()) == 0
        assert int(f.band_trade.sum()) == y.band_sold - y.band_bought
        assert int(f.emissions.sum()) == y.emissions
        assert not f.free[~f.active].any() and not f.emissions[~f.active].any()


def test_a_price_band_buys_at_its_floor_and_sells_at_its_ceiling():
    from dataclasses import replace

    s = Scenario.example(years=4)
    plain = simulate(s, rng=1)
    # Market prices sit between 9 and 15 without a band (see the example's table).
    low = simulate(replace(s, band_reference=18.0, band_tranche=3000), rng=1)
    assert all(y.band_bought <= 3000 and y.band_sold == 0 for y in low.years)
    assert any(y.band_bought > 0 for y in low.years)
    buy = next(f for f in low.firm_years if f.band_trade.any())
    # Each seller is paid the floor, 18 * 0.8 = 14.40, per permit.
    sellers = buy.band_trade < 0
    np.testing.assert_allclose(buy.band_paid[sellers], 14.40 * buy.band_trade[sellers])
    high = simulate(replace(s, band_reference=5.0, band_tranche=2000), rng=1)
    assert any(y.band_sold > 0 for y in high.years)
    for a, b in zip(plain.years, high.years, strict=True):
        if b.band_sold:
            assert b.market_price <= a.market_price
    assert low.conserves_permits() and high.conserves_permits()


# ---------------------------------------------------------------- reviewed defects


@pytest.mark.parametrize(("cap", "reduction", "step"), [
    (1500, 0.009, 14),   # 27/2, a half: up (float product and round() gave 13)
    (100, 0.025, 3),     # 5/2: up (round() gave 2)
    (300, 0.035, 11),    # 21/2: up
    (100_000, 0.022, 2200),
    (1000, 0.0004, 0),   # 2/5: down
])
def test_the_linear_reduction_rounds_the_exact_share_half_up(cap, reduction, step):
    s = replace(Scenario.example(), cap=cap, reduction=reduction, years=3)
    assert s.cap_path() == [cap, cap - step, max(cap - 2 * step, 0)]


#: A first cap and a reduction in thousandths; half the draws make the exact
#: step end in a half (100 m x 5 k / 1000 = m k / 2 with m and k odd).
caps_and_reductions = st.one_of(
    st.tuples(st.integers(0, 10**7), st.integers(1, 1000)),
    st.tuples(st.integers(0, 49_999).map(lambda m: 100 * (2 * m + 1)),
              st.integers(0, 99).map(lambda k: 5 * (2 * k + 1))),
)


@given(cap_and_reduction=caps_and_reductions, years=st.integers(1, 5))
def test_the_linear_reduction_is_an_exact_decimal_share_rounded_half_up(cap_and_reduction,
                                                                        years):
    cap, per_mille = cap_and_reduction
    # The step is per_mille/1000 of the cap, halves up, in integer arithmetic:
    # floor(cap * per_mille / 1000 + 1/2) = (2 cap per_mille + 1000) // 2000.
    step = (2 * cap * per_mille + 1000) // 2000
    assert step == math.floor(Fraction(per_mille, 1000) * cap + Fraction(1, 2))
    s = replace(Scenario.example(), cap=cap, reduction=per_mille / 1000, years=years)
    assert s.cap_path() == [max(cap - step * t, 0) for t in range(years)]


@pytest.mark.parametrize("reserve_price", [100.01, 150.0])
def test_nobody_buys_at_auction_above_the_penalty(reserve_price):
    # Abatement costs 10 a tonne per tonne abated: at 150 every installation
    # would rather pay the penalty of 100 than buy a permit.
    s = replace(Scenario.example(years=2), mac=LinearMAC([10.0] * 9),
                reserve_price=reserve_price, penalty=100.0)
    r = simulate(s, rng=0)
    assert all(y.sold == 0 and y.auction_revenue == 0 for y in r.years)
    assert all(not f.bought_at_auction.any() for f in r.firm_years)
    assert r.conserves_permits()


def test_an_auction_at_the_penalty_still_sells():
    s = replace(Scenario.example(years=1), mac=LinearMAC([10.0] * 9), reserve_price=100.0,
                penalty=100.0)
    first = simulate(s, rng=0).years[0]
    assert first.sold > 0 and first.auction_price == 100.0


@pytest.mark.parametrize(("changes", "error", "message"), [
    ({"reoffer_unsold": "no"}, TypeError, r"reoffer_unsold must be True or False \(got 'no'\)"),
    ({"reoffer_unsold": 1}, TypeError, r"reoffer_unsold must be True or False \(got 1\)"),
    ({"banking": "no"}, TypeError, r"banking must be True or False \(got 'no'\)"),
    ({"banking": np.True_}, TypeError, r"banking must be True or False \(got (np\.)?True_?\)"),
    ({"cap": 100000.5}, TypeError, r"cap must be a whole number \(got 100000.5\)"),
    ({"cap": "100000"}, TypeError, r"cap must be a whole number \(got '100000'\)"),
    ({"cap": (100, 90.5)}, TypeError, r"cap\[1\] must be a whole number \(got 90.5\)"),
    ({"years": 2.5}, TypeError, r"years must be a whole number \(got 2.5\)"),
    ({"rule_options": "current"}, TypeError, r"rule_options must be a mapping .*'current'"),
    # The auction refused it only when it ran (every price of the auction is whole cents).
    ({"reserve_price": 20.005}, ValueError,
     r"reserve_price must be a whole number of cents \(got 20.005\)"),
])
def test_bad_fields_are_refused_by_name(changes, error, message):
    with pytest.raises(error, match=message):
        replace(Scenario.example(years=2), **changes)


def test_whole_numbers_written_as_floats_are_stored_as_ints():
    s = Scenario.example(years=2)
    floats: dict[str, Any] = {"start_year": 2026.0, "years": 2.0, "bid_levels": 25.0,
                              "band_tranche": 0.0, "cap": 100_000.0}
    written = replace(s, **floats)
    for name in ("start_year", "years", "bid_levels", "band_tranche", "cap"):
        assert type(getattr(written, name)) is int
        assert getattr(written, name) == getattr(s, name)
    assert replace(s, cap=(100.0, 90.0)).cap == (100, 90)  # type: ignore[arg-type]
    a, b = simulate(s, rng=4).table(as_frame=False), simulate(written, rng=4).table(as_frame=False)
    assert a == b


def _saved(tmp_path: Any) -> tuple[Any, str]:
    path = Scenario.example(years=2).save(tmp_path / "m.toml")
    return path, path.read_text(encoding="utf-8")


#: Edits of a saved scenario file and the error each must give.
BAD_FILES: list[tuple[tuple[tuple[str, str], ...], str]] = [
    ((("[cap]\ninitial = 100000\nreduction = 0.022\n", ""), ("name =", "cap = 100000\nname =")),
     r"field 'cap': must be a table \(got 100000\)"),
    ((("[compliance]\npenalty = 100.0\nbanking = true\n", ""),
      ("name =", 'compliance = "eu"\nname =')),
     r"field 'compliance': must be a table \(got 'eu'\)"),
    ((("banking = true", "bankng = false"),),
     r"field 'compliance.bankng': is not a known key \(expected one of penalty, banking\)"),
    ((("years = 2\n", "years = 2\nyear = 3\n"),), r"field 'year': is not a known key"),
    ((("bid_levels = 25\n", "bid_levels = 25\n\n[auction.extra]\nx = 1\n"),),
     r"field 'auction.extra': is not a known key"),
    ((("[reserve]\n", "[reserve]\nmsr = 0.24\n"),),
     r"field 'reserve.msr': must be a table \(got 0.24\)"),
    ((("[reserve]\n", '[reserve.msr]\nrate = "6/25"\nrat = 1\n'),),
     r"field 'reserve.msr.rat': is not a known key"),
    ((("reduction = 0.022", "reduction = 0.022\npath = [3, 2]"),),
     r"field 'cap.path': cannot be given with cap.initial or cap.reduction"),
    ((('firms = "m_firms.csv"', "firms = 5"),), r"field 'firms': must be a string \(got 5\)"),
    ((("years = 2\n", 'years = "2"\n'),),
     r"field 'years': years must be a whole number \(got '2'\)"),
    ((("initial = 100000", "initial = 100000.5"),),
     r"field 'cap.initial': cap must be a whole number \(got 100000.5\)"),
    ((("reoffer_unsold = true", 'reoffer_unsold = "no"'),),
     r"field 'auction.reoffer_unsold': reoffer_unsold must be True or False \(got 'no'\)"),
    ((("reserve_price = 20.0", "reserve_price = 20.005"),),
     r"field 'auction.reserve_price': reserve_price must be a whole number of cents"),
    # The rule's options, refused when the file is read rather than when it is simulated.
    ((('activity = "current"', 'activty = "current"'),),
     r"field 'allocation.options.activty': rule_options\['activty'\] is not an option of "
     r"rule 'benchmarking' \(expected one of activity, benchmarks, "),
    ((("steel = 1.3", 'steel = "1.3"'),),
     r"field 'allocation.options.benchmarks': rule_options\['benchmarks'\] is refused by rule "
     r"'benchmarking': benchmarks\['steel'\] must be a real number \(got '1.3'\)"),
    ((('activity = "current"', 'activity = "currant"'),),
     r"field 'allocation.options.activity': rule_options\['activity'\] is refused by rule "
     r"'benchmarking': activity must be one of 'historical', 'current' \(got 'currant'\)"),
    ((('activity = "current"', "activity = 1"),),
     r"field 'allocation.options.activity': .* activity must be one of .* \(got 1\)"),
    ((('activity = "current"', 'activity = "current"\nyear = 2030'),),
     r"field 'allocation.options.year': rule_options\['year'\] cannot be given"),
    ((("[allocation.options.benchmarks]\nelectricity = 0.8\nclinker = 0.766\nsteel = 1.3\n",
       ""),),
     r"field 'allocation.options': rule_options must include 'benchmarks', which rule "
     r"'benchmarking' requires \(got \['activity'\]\)"),
]


@pytest.mark.parametrize(("edits", "message"), BAD_FILES)
def test_bad_scenario_files_name_the_key(tmp_path, edits, message):
    path, text = _saved(tmp_path)
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=r"m\.toml, " + message):
        load_scenario(path)


def test_a_scenario_file_may_write_whole_numbers_as_floats(tmp_path):
    path, text = _saved(tmp_path)
    path.write_text(text.replace("years = 2\n", "years = 2.0\n"), encoding="utf-8")
    loaded = load_scenario(path)
    assert type(loaded.years) is int and loaded.years == 2
    assert len(simulate(loaded, rng=0).years) == 2


def _one_buyer(penalty: float, reserve_price: float) -> Scenario:
    """One installation, everything auctioned, a steep cost curve: at any price up to
    1,000 it still needs at least 900 of its 1,000 tonnes, so it bids at every level."""
    firms = Firms(["a"], product="p", entry_year=2000, base_years=[2024],
                  emissions=[[1000.0]], output=[[1.0]], current_output=[1.0])
    return Scenario(firms=firms, bau=np.array([1000.0]), mac=LinearMAC([10.0]),
                    start_year=2026, years=1, cap=500, auction_share=1.0,
                    reserve_price=reserve_price, penalty=penalty, bid_levels=5)


def _cents_at_most(price: float) -> float:
    """The highest whole-cent price (the float nearest c / 100) not above ``price``."""
    c = math.floor(price * 100) + 1
    while c / 100 > price:
        c -= 1
    return c / 100


#: Penalties in tenths of a cent (half of them not whole cents) and any floats.
penalties = st.one_of(st.integers(0, 10**6).map(lambda m: m / 1000),
                      st.floats(0, 1000, allow_nan=False))


@given(penalty=penalties, reserve_price=st.integers(0, 10**5).map(lambda c: c / 100))
@example(penalty=99.999, reserve_price=20.0)    # bid 100.00 before the fix
@example(penalty=100.015, reserve_price=20.0)   # bid 100.02
@example(penalty=10.005, reserve_price=0.0)     # bid 10.01
@example(penalty=100.005, reserve_price=20.0)   # the float 100.005 is below the half: 100.00
@example(penalty=99.999, reserve_price=99.99)   # a single level at the reserve price
@example(penalty=99.999, reserve_price=100.0)   # reserve above the penalty: no bids
@example(penalty=0.29, reserve_price=0.29)      # whole cents, though the float is below 0.29
def test_every_bid_lies_between_the_reserve_price_and_the_penalty(penalty, reserve_price):
    r = simulate(_one_buyer(penalty, reserve_price), rng=0)
    auctions = [rec.result for rec in r.account.ledger if rec.result is not None]
    if reserve_price > penalty:
        assert auctions == [] and r.years[0].sold == 0
        return
    (result,) = auctions
    prices = result.bids.price
    assert prices.size > 0
    assert reserve_price <= prices.min() and prices.max() <= penalty
    # Bids are whole cents, the top one the penalty rounded down to the cent.
    np.testing.assert_array_equal(np.rint(prices * 100) / 100, prices)
    assert prices.max() == _cents_at_most(penalty)
    assert reserve_price <= r.years[0].auction_price <= penalty


def _example_options(**changes: Any) -> dict[str, Any]:
    return {**Scenario.example().rule_options, **changes}


_BENCHMARKS = Scenario.example().rule_options["benchmarks"]


@pytest.mark.parametrize(("rule", "options", "error", "message"), [
    # A misspelt option name (simulate raised "unexpected keyword argument").
    ("benchmarking", _example_options(activty="current"), TypeError,
     r"rule_options\['activty'\] is not an option of rule 'benchmarking' \(expected one of "
     r"activity, benchmarks, correction_factor, exposure_factor, leftover, reserve_share, "
     r"scaling, sector_factor, statistic, unit_factor\)"),
    ("grandfathering", {"benchmarks": _BENCHMARKS}, TypeError,
     r"rule_options\['benchmarks'\] is not an option of rule 'grandfathering'"),
    # Values of the wrong type.
    ("benchmarking", _example_options(benchmarks={**_BENCHMARKS, "steel": "1.3"}), TypeError,
     r"rule_options\['benchmarks'\] is refused by rule 'benchmarking': "
     r"benchmarks\['steel'\] must be a real number \(got '1.3'\)"),
    ("benchmarking", _example_options(benchmarks=1.3), TypeError,
     r"rule_options\['benchmarks'\] is refused .* benchmarks must be a mapping .* \(got float\)"),
    ("grandfathering", {"statistic": 3}, ValueError,
     r"rule_options\['statistic'\] is refused by rule 'grandfathering': statistic must be one "
     r"of 'mean', 'median', 'max', 'last' \(got 3\)"),
    # Bad values.
    ("benchmarking", _example_options(activity="currant"), ValueError,
     r"rule_options\['activity'\] is refused by rule 'benchmarking': activity must be one of "
     r"'historical', 'current' \(got 'currant'\)"),
    ("benchmarking", {"benchmarks": {"electricity": 0.8, "clinker": 0.766}}, ValueError,
     r"rule_options\['benchmarks'\] .* benchmarks has no value for product 'steel' "
     r"\(firm 'steel-1'\)"),
    ("equal_quantity", {"coefficient": 1.5}, ValueError,
     r"rule_options\['coefficient'\] .* coefficient must be finite, >= 0 and <= 1.0 "
     r"\(got 1.5\)"),
    ("benchmarking", _example_options(reserve_share=0.8), ValueError,
     r"rule_options\['reserve_share'\] .* reserve_share \+ auction_share must be <= 1 "
     r"\(got 0.8 \+ 0.3\)"),
    # A required option missing.
    ("benchmarking", {"activity": "current"}, TypeError,
     r"rule_options must include 'benchmarks', which rule 'benchmarking' requires "
     r"\(got \['activity'\]\)"),
    ("historical_intensity", {"benchmarks": _BENCHMARKS}, TypeError,
     r"rule_options must include 'reduction_factor'"),
    # The gas plant entering in 2027 needs a benchmark.
    ("historical_intensity", {"reduction_factor": 0.98}, ValueError,
     r"rule_options are refused by rule 'historical_intensity' on the scenario's "
     r"installations: new_entrant='benchmark' needs benchmarks \(got None\)"),
    # Arguments the simulation supplies (simulate raised "multiple values").
    ("benchmarking", _example_options(year=2030), TypeError,
     r"rule_options\['year'\] cannot be given: simulate passes each year"),
    ("benchmarking", _example_options(auction_share=0.5), TypeError,
     r"rule_options\['auction_share'\] cannot be given: set the scenario's auction_share"),
    ("benchmarking", _example_options(cap=10), TypeError, r"rule_options\['cap'\] cannot be"),
    # The rule's own auction, which the scenario's replaces (its result was dropped).
    ("benchmarking", _example_options(bids=None), TypeError,
     r"rule_options\['bids'\] cannot be given: the scenario's own auction"),
    ("benchmarking", _example_options(rng=1), TypeError, r"rule_options\['rng'\] cannot be"),
    # One value per installation while installations enter and close: the rule is
    # handed fewer installations than values (simulate raised a shape error).
    ("benchmarking", _example_options(unit_factor=[1.0] * 9), ValueError,
     r"rule_options\['unit_factor'\] cannot give one value per installation: .* "
     r"\(got a sequence of 9\)"),
])
def test_bad_rule_options_are_refused_when_the_scenario_is_built(rule, options, error,
                                                                 message):
    with pytest.raises(error, match=message):
        replace(Scenario.example(years=2), rule=rule, rule_options=options)


def test_rule_options_are_checked_on_the_installations_simulate_hands_the_rule():
    # No new entrant opens in 2026, so historical intensity needs no benchmarks.
    s = replace(Scenario.example(years=1), rule="historical_intensity",
                rule_options={"reduction_factor": 0.98})
    assert simulate(s, rng=0).conserves_permits()
    # With every installation open in every year, one value per installation works.
    firms = Firms(["a", "b"], product="p", entry_year=2000, base_years=[2024],
                  emissions=[[100.0], [100.0]], output=[[1.0], [1.0]],
                  current_output=[1.0, 1.0])
    two = Scenario(firms=firms, bau=np.array([100.0, 100.0]), mac=LinearMAC([1.0, 1.0]),
                   start_year=2026, years=2, cap=100, rule_options={"coefficient": [1.0, 0.0]})
    assert [f.free.tolist() for f in simulate(two).firm_years] == [[100, 0], [100, 0]]


def test_scenario_files_name_the_line_of_a_byte_that_is_not_utf8(tmp_path):
    path, text = _saved(tmp_path)
    data = text.replace('name = "', 'name = "caf\xe9 ', 1).encode("latin-1")
    path.write_bytes(data)
    line = text[:text.index('name = "')].count("\n") + 1
    with pytest.raises(InputFileError, match=rf"m\.toml, line {line}: byte 0xe9 at column \d+ "
                                             r"is not UTF-8 text"):
        load_scenario(path)


def _firms_csv(tmp_path):
    path, _ = _saved(tmp_path)
    csv_path = next(tmp_path.glob("*.csv"))
    return path, csv_path, csv_path.read_text(encoding="utf-8")


def test_the_installations_file_may_start_with_a_byte_order_mark(tmp_path):
    path, csv_path, text = _firms_csv(tmp_path)
    before = load_scenario(path)
    csv_path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_scenario(path).firms.id.tolist() == before.firms.id.tolist()


def test_the_installations_file_must_have_one_field_per_column(tmp_path):
    path, csv_path, text = _firms_csv(tmp_path)
    lines = text.splitlines()
    csv_path.write_text("\n".join([lines[0], lines[1] + ",999", *lines[2:]]) + "\n",
                        encoding="utf-8")
    with pytest.raises(InputFileError, match=r"\.csv, line 2: has \d+ fields but the header "
                                             r"has \d+ \(extra: \['999'\]\)"):
        load_scenario(path)
    header = lines[0].split(",")
    csv_path.write_text(",".join([*header, header[1]]) + "\n" + "\n".join(
        f"{row},x" for row in lines[1:]) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=rf"\.csv, line 1, field '{header[1]}': column "
                                             r"appears twice"):
        load_scenario(path)
