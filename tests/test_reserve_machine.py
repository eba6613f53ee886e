"""A rule-based state machine drives random sequences of reserve operations.

A plain model follows the account alongside it, from the auctions' results
alone: permits held, in circulation and cancelled, cash, revenue and
spending. After every step: permits held + in circulation + cancelled equals
the permits issued; cash equals the opening cash + sales revenue - repurchase
spending, to the cent; no balance is negative; an operation that would
overdraw or oversell raised and changed nothing; and the ledger rebuilds the
account.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from allocation.reserve import Reserve, from_cents
from auctions import Bids, Offers

Pricing = Literal["uniform", "pay_as_bid", "proportional_share"]

cents = st.integers(1, 3_000)
quantities = st.integers(0, 12)
parties = st.sampled_from(["f1", "f2", "f3", "f4"])


@st.composite
def bids(draw: st.DrawFn) -> Bids:
    n = draw(st.integers(1, 4))
    return Bids(
        bidder=draw(st.lists(parties, min_size=n, max_size=n)),
        price=[c / 100 for c in draw(st.lists(cents, min_size=n, max_size=n))],
        quantity=draw(st.lists(quantities, min_size=n, max_size=n)),
    )


@st.composite
def asks(draw: st.DrawFn) -> Offers:
    n = draw(st.integers(1, 4))
    return Offers(
        price=[c / 100 for c in draw(st.lists(cents, min_size=n, max_size=n))],
        quantity=draw(st.lists(quantities, min_size=n, max_size=n)),
        seller=[f"s{i}" for i in range(n)],
    )


class ReserveMachine(RuleBasedStateMachine):
    """The account against a model kept from the auctions' results."""

    reserve: Reserve

    @initialize(
        permits=st.integers(0, 60), cash=st.integers(0, 50_000), circulation=st.integers(0, 60)
    )
    def open_account(self, permits: int, cash: int, circulation: int) -> None:
        self.reserve = Reserve(permits=permits, cash=from_cents(cash), circulation=circulation)
        self.held, self.out, self.gone = permits, circulation, 0
        self.issued = permits + circulation
        self.opening, self.revenue, self.spending = cash, 0, 0

    # -------------------------------------------------------- helpers

    def refused(self, operation: object, *args: object, **kwargs: object) -> None:
        before, length = self.reserve.state, len(self.reserve.ledger)
        try:
            operation(*args, **kwargs)  # type: ignore[operator]
        except ValueError:
            pass
        else:  # pragma: no cover - reported as a failure
            raise AssertionError("an overdrawing or overselling operation was accepted")
        assert self.reserve.state == before and len(self.reserve.ledger) == length

    @property
    def cash(self) -> int:
        return self.opening + self.revenue - self.spending

    def sold(self, permits: int, paid_cents: int) -> None:
        self.held -= permits
        self.out += permits
        self.revenue += paid_cents

    def bought(self, permits: int, paid_cents: int) -> None:
        self.held += permits
        self.out -= permits
        self.spending += paid_cents

    # -------------------------------------------------------- permits only

    @rule(q=st.integers(0, 30))
    def set_aside(self, q: int) -> None:
        self.reserve.set_aside(q)
        self.held += q
        self.issued += q

    @rule(q=st.integers(0, 80))
    def recover(self, q: int) -> None:
        if q > self.out:
            self.refused(self.reserve.recover, q)
            return
        self.reserve.recover(q, source="closed")
        self.held += q
        self.out -= q

    @rule(q=st.integers(0, 80))
    def cancel(self, q: int) -> None:
        if q > self.held:
            self.refused(self.reserve.cancel, q)
            return
        self.reserve.cancel(q)
        self.held -= q
        self.gone += q

    # -------------------------------------------------------- sales

    @rule(b=bids(), price=cents, q=st.integers(0, 80), seed=st.integers(0, 9))
    def sell_fixed_price(self, b: Bids, price: int, q: int, seed: int) -> None:
        if q > self.held:
            self.refused(self.reserve.sell_fixed_price, b, price=price / 100, quantity=q)
            return
        record = self.reserve.sell_fixed_price(b, price=price / 100, quantity=q, rng=seed)
        assert record.result is not None
        sold = record.result.sold
        assert sold <= q
        self.sold(sold, sold * price)  # every permit at the set price, exactly

    @rule(
        b=bids(),
        supply=st.integers(0, 80),
        reserve_price=st.integers(0, 1_500),
        auction=st.sampled_from(["uniform_price", "pay_as_bid"]),
        seed=st.integers(0, 9),
    )
    def sell_by_auction(
        self, b: Bids, supply: int, reserve_price: int, auction: str, seed: int
    ) -> None:
        options = {"reserve_price": reserve_price / 100, "auction": auction, "rng": seed}
        if supply > self.held:
            self.refused(self.reserve.sell_by_auction, b, supply, **options)
            return
        record = self.reserve.sell_by_auction(b, supply, **options)  # type: ignore[arg-type]
        result = record.result
        assert result is not None
        # Unsold permits stay: only what was awarded leaves the reserve.
        paid = sum(round(p * 100) for p in result.payments.tolist())
        self.sold(result.sold, paid)

    # -------------------------------------------------------- repurchases

    @rule(
        a=asks(),
        budget=st.one_of(st.none(), st.integers(0, 60_000)),
        pricing=st.sampled_from(["uniform", "pay_as_bid", "proportional_share"]),
        seed=st.integers(0, 9),
    )
    def repurchase(self, a: Offers, budget: int | None, pricing: Pricing, seed: int) -> None:
        money = None if budget is None else from_cents(budget)
        if a.total > self.out or (budget is not None and budget > self.cash):
            self.refused(self.reserve.repurchase, a, budget=money, pricing=pricing)
            return
        record = self.reserve.repurchase(a, budget=money, pricing=pricing, rng=seed)
        result = record.result
        assert result is not None and result.receipts is not None
        sold = result.offer_sold
        spent = -record.cash_cents
        limit = self.cash if budget is None else budget
        asks_cents = np.rint(a.price * 100).astype(np.int64)
        assert int((sold * asks_cents).sum()) <= spent <= limit
        for t in record.transfers:  # no seller is paid less than its ask
            i = int(str(t.party)[1:])
            assert -t.cents >= -t.permits * int(asks_cents[i])
        if pricing == "proportional_share":
            # Prices rounded down to the cent: within a cent a permit of the float total.
            assert spent <= round(result.revenue * 100) <= spent + int(sold.sum())
        else:
            assert spent == round(result.revenue * 100)
        self.bought(int(sold.sum()), spent)

    @rule(a=asks(), price=cents, q=st.integers(0, 40), seed=st.integers(0, 9))
    def repurchase_fixed_price(self, a: Offers, price: int, q: int, seed: int) -> None:
        if price * q > self.cash or a.total > self.out:
            self.refused(self.reserve.repurchase_fixed_price, a, price=price / 100, quantity=q)
            return
        record = self.reserve.repurchase_fixed_price(a, price=price / 100, quantity=q, rng=seed)
        assert record.result is not None
        bought = int(record.result.offer_sold.sum())
        assert bought <= q
        self.bought(bought, bought * price)

    # -------------------------------------------------------- invariants

    @invariant()
    def balances_match_the_model(self) -> None:
        r = self.reserve
        assert (r.permits, r.circulation, r.cancelled) == (self.held, self.out, self.gone)
        assert r.cash_cents == self.cash  # initial + revenue - spending, to the cent
        assert r.revenue == from_cents(self.revenue)
        assert r.spending == from_cents(self.spending)

    @invariant()
    def permits_are_conserved_and_nothing_is_overdrawn(self) -> None:
        r = self.reserve
        assert r.permits + r.circulation + r.cancelled == self.issued == r.issued
        assert min(r.permits, r.circulation, r.cancelled, r.cash_cents) >= 0
        assert r.is_balanced()

    @invariant()
    def the_ledger_rebuilds_the_account(self) -> None:
        rebuilt = Reserve.from_ledger(self.reserve.ledger)
        assert rebuilt.state == self.reserve.state
        assert rebuilt.issued == self.reserve.issued
        assert (rebuilt.revenue, rebuilt.spending) == (self.reserve.revenue, self.reserve.spending)
        assert math.isclose(len(rebuilt.ledger), len(self.reserve.ledger))


ReserveMachine.TestCase.settings = settings(settings(), stateful_step_count=20)
TestReserveMachine = ReserveMachine.TestCase
