"""Multi-period scenarios: the ledger conserves permits, banks carry over, files round-trip."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation import Firms
from allocation.abatement import LinearMAC
from allocation.files import InputFileError
from allocation.simulation import Scenario, load_scenario, simulate


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
    )


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
