"""Linked regional markets (the Sichuan-Chongqing market of seed 003)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.optimize import minimize

from allocation.abatement import LinearMAC, QuadraticMAC, TechnologyStep
from allocation.linking import Link, Region, linked_equilibrium, two_way
from allocation.market import InfeasibleError


def chongqing_sichuan():
    # Chongqing: two firms with slope 2, 30 t to cut each (R = 60), alone p = 60.
    # Sichuan: two firms with slope 1, R = 60, alone p = 30.
    cq = Region("chongqing", bau=[100, 100], permits=[70, 70], mac=LinearMAC([2.0, 2.0]))
    sc = Region("sichuan", bau=[100, 100], permits=[70, 70], mac=LinearMAC([1.0, 1.0]))
    return cq, sc


def test_unlimited_link_gives_one_price():
    # One market: p = (60 + 60) / (1/2 + 1/2 + 1 + 1) = 40. Chongqing abates
    # 20 + 20 = 40, so imports 20; Sichuan abates 80 and exports 20.
    # Costs alone: 2 * 0.5*2*900 + 2 * 0.5*1*900 = 1800 + 900 = 2700.
    # Linked: 2 * 0.5*2*400 + 2 * 0.5*1*1600 = 800 + 1600 = 2400. Gain 300.
    cq, sc = chongqing_sichuan()
    r = linked_equilibrium([cq, sc], two_way("sichuan", "chongqing"))
    assert r.price["chongqing"] == pytest.approx(40.0)
    assert r.price["sichuan"] == pytest.approx(40.0)
    assert r.flow.tolist() == pytest.approx([20.0, 0.0])
    assert r.net_import == pytest.approx({"chongqing": 20.0, "sichuan": -20.0})
    alone_cq, alone_sc = r.separate["chongqing"], r.separate["sichuan"]
    assert alone_cq is not None and alone_sc is not None
    assert alone_cq.price == pytest.approx(60.0)
    assert alone_sc.price == pytest.approx(30.0)
    assert r.total_abatement_cost == pytest.approx(2400.0)
    assert r.gain == pytest.approx(300.0)
    # Chongqing's firms pay 40 * 20 = 800 for imports: 1800 -> 800 + 800 = 1600.
    # Sichuan's: 900 -> 1600 - 800 = 800. Gains 200 and 100.
    assert r.gain_by_region == pytest.approx({"chongqing": 200.0, "sichuan": 100.0})
    cq_market = r.markets["chongqing"]
    assert cq_market.imported == pytest.approx(20.0)
    assert cq_market.net_trade.sum() == pytest.approx(20.0)


def test_quota_separates_the_prices():
    # At most 10 permits cross: Chongqing R = 50 -> p = 50; Sichuan R = 70 -> 35.
    # The right to move a permit is worth 50 - 35 = 15: rent 150.
    cq, sc = chongqing_sichuan()
    r = linked_equilibrium([cq, sc], [Link("sichuan", "chongqing", quota=10)])
    assert r.price == pytest.approx({"chongqing": 50.0, "sichuan": 35.0})
    assert r.flow.tolist() == pytest.approx([10.0])
    assert r.quota_rent.tolist() == pytest.approx([150.0])


def test_one_way_link_against_the_price_gradient_carries_nothing():
    # Chongqing permits may go to Sichuan only, but Sichuan is cheaper: no flow.
    cq, sc = chongqing_sichuan()
    r = linked_equilibrium([cq, sc], [Link("chongqing", "sichuan")])
    assert r.flow.tolist() == [0.0]
    assert r.price == pytest.approx({"chongqing": 60.0, "sichuan": 30.0})
    assert r.gain == pytest.approx(0.0, abs=1e-9)


def test_exchange_rate_by_hand():
    # A: slope 1, BAU 100, 60 permits (alone p = 40). B: slope 1, 90 permits (p = 10).
    # One B permit counts as 0.5 A permits. B sends s: R_B = 10 + s, R_A = 40 - s/2.
    # Arbitrage p_B = 0.5 p_A: 10 + s = 20 - s/4 -> s = 8, p_B = 18, p_A = 36.
    a = Region("A", bau=[100], permits=[60], mac=LinearMAC([1.0]))
    b = Region("B", bau=[100], permits=[90], mac=LinearMAC([1.0]))
    r = linked_equilibrium([a, b], [Link("B", "A", rate=0.5)])
    assert r.flow.tolist() == pytest.approx([8.0])
    assert r.price == pytest.approx({"A": 36.0, "B": 18.0})
    assert r.net_import == pytest.approx({"A": 4.0, "B": -8.0})


def test_quadratic_regions_linked():
    # MC = a^2 in both: A needs 20 t, B none. Linked: 2 sqrt(p) = 20 -> p = 100,
    # each abates 10 and B sends 10 permits to A.
    a = Region("A", bau=[100], permits=[80], mac=QuadraticMAC(linear=0.0, quadratic=1.0))
    b = Region("B", bau=[100], permits=[100], mac=QuadraticMAC(linear=0.0, quadratic=1.0))
    r = linked_equilibrium([a, b], two_way("A", "B"))
    assert r.price == pytest.approx({"A": 100.0, "B": 100.0}, rel=1e-9)
    assert r.flow.tolist() == pytest.approx([0.0, 10.0])
    # Gain: A alone abates 20 at cost 20^3/3; linked both abate 10: 2 * 10^3/3.
    assert r.gain == pytest.approx((8000 - 2000) / 3)


def test_inputs_untouched_and_regions_read_only():
    bau = np.array([100.0, 100.0])
    permits = np.array([70, 70])
    cq = Region("chongqing", bau=bau, permits=permits, mac=LinearMAC([2.0, 2.0]))
    bau[0] = 0.0
    assert cq.bau.tolist() == [100.0, 100.0]
    with pytest.raises(AttributeError):
        cq.name = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        cq.permits[0] = 1


def test_region_without_links_is_its_own_market():
    cq, sc = chongqing_sichuan()
    r = linked_equilibrium([cq, sc])
    assert r.price == pytest.approx({"chongqing": 60.0, "sichuan": 30.0})
    assert r.gain == pytest.approx(0.0, abs=1e-9)


def test_linking_rescues_a_region_that_cannot_comply_alone():
    # A: 50 t of BAU, no permits, one technology abating at most 10 t at 5 a tonne:
    # alone it cannot comply. B: 10 t of BAU, 50 permits, MC = a.
    # Linked, B sends s: A must abate 50 - s <= 10, B abates s - 40 at price s - 40.
    # A's price is 5 while it runs part of its step: s - 40 = 5 -> s = 45,
    # A abates 5 (half its step), B abates 5.
    from allocation.abatement import TechnologyStep

    a = Region("A", bau=[50], permits=[0], mac=TechnologyStep(cost=5.0, capacity=10.0))
    b = Region("B", bau=[10], permits=[50], mac=LinearMAC([1.0]))
    r = linked_equilibrium([a, b], [Link("B", "A")])
    assert r.separate["A"] is None and r.gain == float("inf")
    assert r.flow.tolist() == pytest.approx([45.0])
    assert r.price == pytest.approx({"A": 5.0, "B": 5.0})
    assert r.markets["A"].abatement.tolist() == pytest.approx([5.0])
    assert r.markets["B"].abatement.tolist() == pytest.approx([5.0])
    # Costs: A 5 t * 5 = 25; B 0.5 * 5^2 = 12.5.
    assert r.total_abatement_cost == pytest.approx(37.5)


def test_infeasible_even_when_linked():
    from allocation.abatement import TechnologyStep

    a = Region("A", bau=[50], permits=[0], mac=TechnologyStep(cost=5.0, capacity=10.0))
    b = Region("B", bau=[10], permits=[10], mac=TechnologyStep(cost=5.0, capacity=10.0))
    with pytest.raises(InfeasibleError, match="cannot meet"):
        linked_equilibrium([a, b], two_way("A", "B"))


def test_three_regions_in_a_line():
    # a - b - c, rate 1, no limits: one price over all. Slopes 1 in a (one firm),
    # 1 in b, 1 in c; R = 30, 0, 0 -> p = 30 / 3 = 10, each abates 10.
    a = Region("a", bau=[100], permits=[70], mac=LinearMAC([1.0]))
    b = Region("b", bau=[100], permits=[100], mac=LinearMAC([1.0]))
    c = Region("c", bau=[100], permits=[100], mac=LinearMAC([1.0]))
    r = linked_equilibrium([a, b, c], [*two_way("a", "b"), *two_way("b", "c")])
    assert r.price == pytest.approx({"a": 10.0, "b": 10.0, "c": 10.0})
    # b and c each free 10 permits by abating; c sends its 10 to b, which passes
    # 20 on to a.
    assert r.net_import == pytest.approx({"a": 20.0, "b": -10.0, "c": -10.0})
    assert r.flow.tolist() == pytest.approx([0.0, 20.0, 0.0, 10.0])


def test_region_at_a_kink_prices_an_idle_link():
    # A: slope 1, BAU 100, 80 permits: p_A = 20. B: slope 1, BAU 10, no permits:
    # it abates all it can (10 t), so any price from MC(10) = 10 up suits it.
    # Link B -> A at rate 2: B has no permit to spare, so nothing flows, and
    # the idle link needs p_B >= 2 * p_A = 40. The least such price in B's
    # range [10, inf) is 40; A's range is [20, 20]. (The old tie of only the
    # links carrying flow reported p_B = 10 < 40, as if a B permit, worth 40
    # in A, were left unsold.)
    a = Region("A", bau=[100], permits=[80], mac=LinearMAC([1.0]))
    b = Region("B", bau=[10], permits=[0], mac=LinearMAC([1.0]))
    r = linked_equilibrium([a, b], [Link("B", "A", rate=2.0)])
    assert r.flow.tolist() == [0.0]
    assert r.price == {"A": 20.0, "B": 40.0}
    assert r.markets["B"].abatement.tolist() == [10.0]
    assert r.quota_rent.tolist() == [0.0]


def test_region_at_a_kink_passes_permits_through_full_links():
    # c -> b -> a, quota 10 on each link. a: slope 1, BAU 30, 6 permits; c: slope
    # 0.5, BAU 30, 16 permits; b: one tonne, no permits, abates it (p_b in [1, inf)).
    # Ten permits pass through b: a needs 14 t (p_a = 14), c 24 t (p_c = 24 * 0.5
    # = 12 < 14), so both quotas bind. Full links need p_c <= p_b <= p_a: the
    # least p_b is 12, and the rent 10 * (14 - 12) = 20 falls on b -> a. (The old
    # tie reported p_b = 1 < p_c, as if undoing the flow c -> b paid.)
    a = Region("a", bau=[30], permits=[6], mac=LinearMAC([1.0]))
    b = Region("b", bau=[1], permits=[0], mac=LinearMAC([1.0]))
    c = Region("c", bau=[30], permits=[16], mac=LinearMAC([0.5]))
    r = linked_equilibrium([a, b, c], [Link("b", "a", quota=10), Link("c", "b", quota=10)])
    assert r.flow.tolist() == [10.0, 10.0]
    assert r.price == {"a": 14.0, "b": 12.0, "c": 12.0}
    assert r.quota_rent.tolist() == [20.0, 0.0]


def test_region_at_a_step_edge_takes_the_linked_price():
    # A: slope 1, BAU 100, 100 permits. B: 50 t, no permits, one technology
    # cutting all 50 t at 80. Linked, A sells B 50 permits at p_A = 50 < 80,
    # so B abates nothing and sits on the step's lower edge, content with any
    # price in [0, 80]; the unlimited link ties p_B = p_A = 50. No rent.
    # Costs: A 0.5 * 50**2 - 50 * 50 = -1250 (alone 0), B 50 * 50 = 2500
    # (alone 80 * 50 = 4000): gains 1250 and 1500, summing to the gain 2750.
    # (The flow stopped a rounding short of 50, and B's price read 80.)
    a = Region("A", bau=[100], permits=[100], mac=LinearMAC([1.0]))
    b = Region("B", bau=[50], permits=[0], mac=TechnologyStep(cost=[80.0], capacity=[50]))
    r = linked_equilibrium([a, b], two_way("A", "B"))
    assert r.flow.tolist() == pytest.approx([50.0, 0.0])
    assert r.price == pytest.approx({"A": 50.0, "B": 50.0})
    assert r.quota_rent.tolist() == pytest.approx([0.0, 0.0], abs=1e-9)
    assert r.gain == pytest.approx(2750.0)
    assert r.gain_by_region == pytest.approx({"A": 1250.0, "B": 1500.0})


def test_two_regions_at_step_edges_share_a_price():
    # r0: 1 t, 2 permits, a step at 2 for 1 t: one spare permit, range [0, 2]
    # once it is sold. r1: 2 t, no permits, a step at 1 for 2 t: it buys the
    # permit and abates 1 t on its step, price 1. The link carries 1 < inf,
    # so p_r0 = p_r1 = 1 and the rent is 0 (it read p_r0 = 2, rent -1).
    r0 = Region("r0", bau=[1], permits=[2], mac=TechnologyStep(cost=[2.0], capacity=[1]))
    r1 = Region("r1", bau=[2], permits=[0], mac=TechnologyStep(cost=[1.0], capacity=[2]))
    r = linked_equilibrium([r0, r1], [Link("r0", "r1")])
    assert r.flow.tolist() == pytest.approx([1.0])
    assert r.price == pytest.approx({"r0": 1.0, "r1": 1.0})
    assert r.quota_rent.tolist() == pytest.approx([0.0], abs=1e-9)


@st.composite
def linear_and_step(draw):
    c = draw(st.floats(0.1, 5.0))
    a_bau = draw(st.integers(1, 100))
    a_permits = draw(st.integers(1, a_bau))
    b_bau = draw(st.integers(1, a_permits))  # A can cover B's whole shortfall
    cost = draw(st.integers(1, 300))
    return c, a_bau, a_permits, b_bau, cost


@given(linear_and_step())
@example((1.0, 100, 100, 50, 80))
@example((2.3, 18, 7, 7, 68))
def test_step_region_linked_to_a_linear_one_matches_the_closed_form(case):
    """One pooled market, by hand: A (slope c) abates x, B's step (cost k,
    b tonnes) y, x + y = R = A's shortfall + b. If c R <= k, A abates all of
    R at p = c R (B at its step's lower edge). Else B takes the step: at p = k
    if A's c (R - b) <= k, else all b, with p = c (R - b). So
    p = min(c R, max(k, c (R - b))), the least price where A is at its limit."""
    c, a_bau, a_permits, b_bau, cost = case
    a = Region("A", bau=[a_bau], permits=[a_permits], mac=LinearMAC([c]))
    b = Region("B", bau=[b_bau], permits=[0], mac=TechnologyStep(cost=[cost], capacity=[b_bau]))
    r = linked_equilibrium([a, b], two_way("A", "B"))
    need = a_bau - a_permits + b_bau
    p = min(c * need, max(cost, c * (need - b_bau)))
    assert r.price == pytest.approx({"A": p, "B": p}, rel=1e-9)
    assert r.quota_rent.tolist() == pytest.approx([0.0, 0.0], abs=1e-7 * (1 + p))
    assert math.fsum(r.gain_by_region.values()) == pytest.approx(r.gain, abs=1e-7 * (1 + p))


def test_region_cap_is_exact_past_int64():
    # Two firms of 2**62 permits: the cap is 2**63, one past int64. A holds
    # exactly its BAU and B too, so linked nothing moves and both prices are 0
    # (the int64 sum wrapped to -2**63, and linking raised InfeasibleError).
    a = Region("A", bau=[2.0**62] * 2, permits=[2**62, 2**62], mac=LinearMAC([1.0, 1.0]))
    assert a.cap == 2**63
    assert "cap=9223372036854775808" in repr(a)
    b = Region("B", bau=[10.0], permits=[10], mac=LinearMAC([1.0]))
    r = linked_equilibrium([a, b], two_way("A", "B"))
    assert r.price == {"A": 0.0, "B": 0.0}
    assert r.flow.tolist() == [0.0, 0.0]


def test_prices_breaking_a_link_are_refused():
    # Flows no prices can support: a link carrying 1 of no quota ties
    # p0 = 2 p1, but both regions' ranges are [1, 1]. Neither all the
    # conditions nor the interior ties alone can be met: it raises instead of
    # reporting each region's own price (the old silent fallback).
    from allocation.linking import _tied_prices

    flow = np.array([1.0])
    with pytest.raises(RuntimeError, match="no prices meeting"):
        _tied_prices(([1.0, 1.0], [1.0, 1.0]), flow, [(0, 1)], [2.0], [math.inf], 1e-12)
    # Where they can be met, the least such prices.
    assert _tied_prices(([1.0, 1.0], [5.0, 5.0]), flow, [(0, 1)], [2.0], [math.inf], 1e-12) == [
        2.0, 1.0]


# ------------------------------------------------------------- properties


@st.composite
def linked_systems(draw):
    k = draw(st.integers(2, 3))
    names = ["a", "b", "c"][:k]
    regions = []
    for name in names:
        n = draw(st.integers(1, 3))
        bau = draw(st.lists(st.integers(1, 60), min_size=n, max_size=n))
        share = draw(st.lists(st.floats(0.2, 1.1), min_size=n, max_size=n))
        permits = [int(b * s) for b, s in zip(bau, share, strict=True)]
        # Linear curves keep each region's price exact and cheap (the path search
        # calls it many times); quadratic regions are checked in the worked cases.
        mac = LinearMAC(draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n)))
        regions.append(Region(name, bau=bau, permits=permits, mac=mac))
    links: list[Link] = []
    for i in range(k - 1):
        rate = draw(st.sampled_from([1.0, 0.5, 2.0]))
        quota = draw(st.one_of(st.none(), st.integers(0, 30)))
        if draw(st.booleans()):
            links.extend(two_way(names[i], names[i + 1], rate=rate, quota=quota))
        else:
            links.append(Link(names[i + 1], names[i], rate=rate, quota=quota))
    return regions, links


@given(linked_systems())
def test_linking_never_costs_more_and_respects_quotas(system):
    regions, links = system
    r = linked_equilibrium(regions, links)
    assert r.gain >= -1e-7 * (1.0 + r.total_abatement_cost)
    for flow, link in zip(r.flow.tolist(), links, strict=True):
        assert flow >= 0.0
        if link.quota is not None:
            assert flow <= link.quota + 1e-9
    # Imports are what the links carry, at their rates.
    expected = {reg.name: 0.0 for reg in regions}
    for flow, link in zip(r.flow.tolist(), links, strict=True):
        expected[link.source] -= flow
        expected[link.target] += link.rate * flow
    assert r.net_import == pytest.approx(expected, abs=1e-7)
    for reg in regions:
        m = r.markets[reg.name]
        assert m.net_trade.sum() == pytest.approx(m.imported, abs=1e-7 * (1 + reg.cap))


@given(linked_systems())
def test_no_profitable_trade_is_left(system):
    """Complementary slackness: a link carrying permits below its quota equalises
    prices at its rate; a full one would pay more; an idle one would not pay.

    Holds for every link, also where a region is at a kink of its costs: the
    reported prices are dual prices, chosen within each region's range."""
    regions, links = system
    r = linked_equilibrium(regions, links)
    for flow, link in zip(r.flow.tolist(), links, strict=True):
        src, tgt = r.price[link.source], link.rate * r.price[link.target]
        tol = 1e-6 * (1.0 + src + tgt)
        quota = np.inf if link.quota is None else link.quota
        if quota == 0:
            continue
        if flow >= quota - 1e-9:
            assert src <= tgt + tol
        elif flow <= 1e-9:
            assert src >= tgt - tol
        else:
            assert src == pytest.approx(tgt, rel=1e-6, abs=1e-6)
    # Each price is one its region's firms accept: a firm abating part of what
    # it can has that marginal cost, one abating all has no more, one abating
    # nothing has no less.
    for reg in regions:
        m, p = r.markets[reg.name], r.price[reg.name]
        most = np.minimum(np.asarray(reg.bau, dtype=float), reg.mac.max_abatement)
        cost = reg.mac.marginal_cost(m.abatement)
        tol = 1e-6 * (1.0 + p)
        for a, top, c in zip(m.abatement.tolist(), most.tolist(), cost.tolist(), strict=True):
            if a >= top - 1e-9:
                assert c <= p + tol
            if a <= 1e-9:
                assert c >= p - tol
            if 1e-9 < a < top - 1e-9:
                assert c == pytest.approx(p, rel=1e-6, abs=1e-6)


@given(linked_systems())
def test_linked_cost_is_the_least_cost(system):
    """scipy.optimize over abatement and flows finds nothing cheaper."""
    regions, links = system
    r = linked_equilibrium(regions, links)
    sizes = [len(reg.bau) for reg in regions]
    cuts = np.cumsum([0, *sizes])
    index = {reg.name: i for i, reg in enumerate(regions)}

    def parts(x):
        return [x[cuts[i] : cuts[i + 1]] for i in range(len(regions))], x[cuts[-1] :]

    def cost(x):
        a, _ = parts(x)
        return sum(float(reg.mac.total_cost(np.clip(a[i], 0, reg.bau)).sum())
                   for i, reg in enumerate(regions))

    def slack(x, i):
        a, f = parts(x)
        held = float(regions[i].permits.sum())
        for k, link in enumerate(links):
            if index[link.source] == i:
                held -= f[k]
            if index[link.target] == i:
                held += link.rate * f[k]
        return held - float((regions[i].bau - a[i]).sum())

    bounds: list[tuple[float, float | None]] = [
        (0.0, float(b)) for reg in regions for b in reg.bau
    ]
    bounds += [(0.0, None if link.quota is None else float(link.quota)) for link in links]
    x0 = np.concatenate([reg.bau for reg in regions] + [np.zeros(len(links))])
    best = minimize(
        cost, x0, method="SLSQP", bounds=bounds,
        constraints=[{"type": "ineq", "fun": slack, "args": (i,)} for i in range(len(regions))],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    feasible = best.success and min(slack(best.x, i) for i in range(len(regions))) > -1e-6
    if feasible:
        assert r.total_abatement_cost <= best.fun + 1e-6 * (1.0 + abs(best.fun))


def test_dual_prices_give_up_where_the_bounds_cannot_settle():
    # p0 >= 2 p1 and p1 >= 2 p0 hold only at zero: from positive prices the
    # rounds climb for ever, and linked_equilibrium falls back to the ties of
    # the interior links alone, then raises (test_prices_breaking_a_link_are_refused).
    from allocation.linking import _dual_prices, _slackness_bounds

    assert _dual_prices([1.0, 1.0], [math.inf, math.inf], [(0, 1, 2.0), (1, 0, 2.0)]) is None
    assert _dual_prices([1.0, 3.0], [5.0, 5.0], [(0, 1, 1.0)]) == [3.0, 3.0]
    assert _dual_prices([1.0, 3.0], [2.0, 5.0], [(0, 1, 1.0)]) is None  # leaves its range
    flow = np.array([10.0, 4.0, 0.0])
    ends, rates, quotas = [(0, 1), (1, 2), (2, 0)], [1.0, 2.0, 1.0], [10.0, 10.0, 5.0]
    assert _slackness_bounds(flow, ends, rates, quotas, 1e-9) == [
        (1, 0, 1.0), (2, 1, 0.5), (1, 2, 2.0), (2, 0, 1.0)]
    assert _slackness_bounds(flow, ends, rates, quotas, 1e-9, interior_only=True) == [
        (2, 1, 0.5), (1, 2, 2.0)]
