"""The government reserve: an account of permits and cash with an append-only ledger.

The primary market has the government on one side. It sets permits aside when
the cap is allocated, sells them at a set price or by public auction, buys
them back, recovers them free from closed installations, and cancels them.
:class:`Reserve` keeps that account: permits held, permits in circulation
(held by firms), permits cancelled, and cash. Every operation appends a
frozen :class:`Record` to the ledger and returns it; the account can be
rebuilt from its ledger alone (:meth:`Reserve.from_ledger`).

Two identities hold after every operation, exactly:

- permits: ``permits + circulation + cancelled == issued``, where ``issued``
  is what the account was opened with plus every permit set aside since;
- money: ``cash == initial cash + sales revenue - repurchase spending``.

An operation that would overdraw the cash, sell or cancel permits the reserve
does not hold, or buy back more permits than are in circulation raises
before anything changes.

How money is held
-----------------
Cash is an integer number of cents (:attr:`Reserve.cash_cents`; shown as a
:class:`~decimal.Decimal` by :attr:`Reserve.cash`). Every amount the account
takes - prices, bids, asks, reserve prices, caps, budgets, opening cash - must
be a whole number of cents, as the California-Quebec auctions require of bids
(17 CCR section 95911(a)(4): "bids in U.S. dollars and whole cents"). A float
counts as whole cents when it is the float nearest to a decimal with at most
two places (``12.34`` is; ``0.1 + 0.2`` is not). Then every uniform-price,
pay-as-bid, Vickrey or fixed-price payment is a sum of whole-cent prices times
whole numbers of permits, hence itself a whole number of cents, and is booked
exactly: the auction's float payment is rounded to the nearest cent only to
remove binary floating-point error (``3 * 12.34`` is ``37.019999999999996``
in binary; it is booked as 3702 cents), and a payment more than a
millionth of a cent away from a whole cent is refused.

One mechanism pays prices that are not whole cents: the proportional-share
buy-back, whose threshold prices are budget shares such as ``10 / 3``. There
each seller's price per permit is rounded *down* to the cent. Asks are whole
cents and a winner's threshold is at or above its ask, so the rounded price is
still at or above the ask; and rounding down keeps the total within the
budget. The regulator keeps the sub-cent remainders.

So the money identity holds to the cent by construction, and the ledger,
being integers, never drifts however long it runs.

References
----------
Shanxi seed of this project (``002_*.txt``), sections 3.1.1 and 3.1.3: a
government reserve of emission rights sold at a set price or by public
auction, priced apart from the secondary market. Dianzhong seed
(``001_*.txt``), section 2.3: the primary market between government and
enterprises, including government repurchase.
Hubei pilot emissions trading scheme: government reserve allowances sold at
a fixed price to covered enterprises. Guangdong pilot emissions trading
scheme: a market-adjustment reserve auctioned with a reserve price, unsold
allowances returning to it. (Both as the practice is generally described;
the provincial measures themselves were not consulted for this module.)
California Code of Regulations, title 17, sections 95911 (whole-cent bids)
and 95913 (sales from the Allowance Price Containment Reserve).
Singer, Y. (2010). Budget feasible mechanisms. *FOCS 2010*, 765-774.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final, Literal, NamedTuple, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from auctions import AuctionResult, Bids, Offers, reverse_auction, uniform_price
from auctions._exact import DECIMAL, group_sum
from auctions._validate import as_quantities, check_choice, check_nonnegative_int, check_price
from auctions.bids import factorize
from auctions.clearing import TIE_BREAKS, ClearingOptions, PriceRule, SeedLike, TieBreak
from auctions.registry import get_format

__all__ = [
    "KINDS",
    "Record",
    "Reserve",
    "ReserveState",
    "Transfer",
    "as_cents",
    "fixed_price_purchase",
    "fixed_price_sale",
    "from_cents",
]

#: The kinds of ledger record, by the direction they move permits and cash.
KINDS: Final = (
    "open",
    "set_aside",
    "fixed_price_sale",
    "auction_sale",
    "repurchase",
    "fixed_price_repurchase",
    "recovery",
    "cancellation",
    "free_allocation",
    "surrender",
)
_SALES: Final = frozenset({"fixed_price_sale", "auction_sale"})
_PURCHASES: Final = frozenset({"repurchase", "fixed_price_repurchase"})

#: Largest distance, in cents, between an auction's float payment and a whole
#: cent that is still read as that cent (binary rounding error, not money).
_CENT_TOLERANCE: Final = 1e-6


# ---------------------------------------------------------------- money


def as_cents(name: str, value: object) -> int:
    """``value``, an amount of money >= 0 in whole cents, as an int number of cents.

    Accepts an int, a float that is the float nearest to a two-place decimal,
    or a :class:`~decimal.Decimal` (or decimal string) with at most two
    places.

    Examples
    --------
    >>> as_cents("price", 12.34), as_cents("cash", 5), as_cents("budget", "0.10")
    (1234, 500, 10)
    >>> as_cents("price", 0.1 + 0.2)
    Traceback (most recent call last):
    ...
    ValueError: price must be a whole number of cents (got 0.30000000000000004)
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an amount of money (got {value!r})")
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            raise TypeError(f"{name} must be an amount of money (got {value!r})") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name} must be finite (got {value!r})")
        scaled = value.scaleb(2, context=DECIMAL)
        if scaled != scaled.to_integral_value(context=DECIMAL):
            raise ValueError(f"{name} must be a whole number of cents (got {value})")
        cents = int(scaled)
    elif isinstance(value, numbers.Integral):
        cents = int(value) * 100
    elif isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"{name} must be finite (got {x!r})")
        cents = round(Fraction(x) * 100)
        if cents / 100 != x:
            raise ValueError(f"{name} must be a whole number of cents (got {x!r})")
    else:
        raise TypeError(f"{name} must be an amount of money (got {value!r})")
    if cents < 0:
        raise ValueError(f"{name} must be >= 0 (got {value})")
    return cents


def from_cents(cents: int) -> Decimal:
    """An int number of cents as an exact :class:`~decimal.Decimal` amount.

    Examples
    --------
    >>> from_cents(123456)
    Decimal('1234.56')
    """
    return Decimal(int(cents)).scaleb(-2, context=DECIMAL)


#: Below this, ``x * 100`` in float64 rounds to the whole number of cents ``x``
#: stands for (its error and ``x``'s own are under half a cent together).
_FAST_CENTS: Final = 2.0**44


def _whole_cents(name: str, values: NDArray[np.float64]) -> None:
    """Raise unless every price is the float nearest to a two-place decimal (checked
    exactly, as :func:`as_cents` does, from ``2**44`` up)."""
    cents = np.rint(values * 100)
    bad = (cents / 100 != values) | (values >= _FAST_CENTS)
    for i in np.flatnonzero(bad).tolist():
        if values[i] < _FAST_CENTS or round(Fraction(values[i].item()) * 100) / 100 != values[i]:
            raise ValueError(
                f"{name} must be whole numbers of cents (got {values[i].item()!r} at index {i})"
            )


def _payment_cents(
    name: str, payments: NDArray[np.float64], terms: NDArray[np.int64] | None = None,
) -> NDArray[np.int64]:
    """Payments made of whole-cent prices, as int64 cents (binary error removed).

    Each payment may be off its whole number of cents by the rounding of
    float64 arithmetic: at most a few units in the last place for each of its
    ``terms`` (the rows summed into it; 1 by default), so the tolerance grows
    with its size. A payment too large for that tolerance to single out one
    cent is refused.
    """
    scaled = payments * 100
    cents = np.rint(scaled)
    factor = 3 if terms is None else terms + 3  # a few units in the last place per term
    tolerance = np.maximum(_CENT_TOLERANCE, np.abs(scaled) * factor * 2.0**-50)
    too_large = ~(tolerance < 0.25)
    if too_large.any():
        i = int(np.argmax(too_large))
        raise ValueError(f"{name} are too large to be counted to the cent in float64 "
                         f"(got {payments[i].item()!r} at index {i})")
    bad = np.abs(scaled - cents) > tolerance
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name} must be whole numbers of cents (got {payments[i].item()!r} at index {i})"
        )
    return cents.astype(np.int64)


def _sale_cents(result: AuctionResult, codes: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """What each of the ``n`` bidders of a sale (``codes`` per bid) paid, in int64 cents.

    Uniform-price and pay-as-bid payments are permits times a whole-cent
    price: they are counted in integers, exactly. A bidder's Vickrey payment
    may be split across its rows in fractions of a cent, so other formats'
    payments are summed by bidder and then read to the cent.
    """
    bids = result.bids
    if result.format in ("uniform_price", "pay_as_bid"):
        price = (np.full(len(bids), np.nan_to_num(result.clearing_price))
                 if result.format == "uniform_price" else bids.price)
        cents = np.rint(price * 100)
        if (cents / 100 == price).all() and (
            float(result.awarded.sum()) * float(cents.max(initial=0)) < 2.0**62
        ):
            return group_sum(codes, result.awarded * cents.astype(np.int64), n)
    per_bidder = np.asarray(np.bincount(codes, weights=result.payments, minlength=n),
                            dtype=np.float64)  # already float64: no copy
    return _payment_cents("payments", per_bidder, np.bincount(codes, minlength=n))


def _optional_cents(name: str, value: object) -> int | None:
    return None if value is None else as_cents(name, value)


# ---------------------------------------------------------------- records


class Transfer(NamedTuple):
    """What one counterparty exchanged with the reserve in one operation.

    ``permits`` is what the party received from the reserve (negative when it
    gave permits to the reserve); ``cents`` is what it paid the reserve
    (negative when the reserve paid it).
    """

    party: Hashable
    permits: int
    cents: int


class ReserveState(NamedTuple):
    """The balances of a reserve account at one moment."""

    permits: int
    circulation: int
    cancelled: int
    cash_cents: int


@dataclass(frozen=True, kw_only=True)
class Record:
    """One entry of the ledger: the change one operation made.

    Attributes
    ----------
    seq : int
        Position in the ledger, from 0 (the opening record).
    kind : str
        One of :data:`KINDS`.
    permits, circulation, cancelled : int
        Change in the permits the reserve holds, in circulation, cancelled.
        Their sum is the change in permits issued (nonzero only when the
        account is opened or permits are set aside).
    cash_cents : int
        Change in cash, in cents: revenue is positive, spending negative.
    price : float or None
        The price per permit of a fixed-price operation, or the clearing
        price of an auction (nan when nothing traded).
    transfers : tuple of Transfer
        Permits and cents exchanged with each counterparty.
    result : AuctionResult or None
        The auction that decided the operation, if any.
    note : str
        Free text (the rule or event behind the operation).
    """

    seq: int
    kind: str
    permits: int
    circulation: int = 0
    cancelled: int = 0
    cash_cents: int = 0
    price: float | None = None
    transfers: tuple[Transfer, ...] = ()
    result: AuctionResult | None = None
    note: str = ""

    @property
    def issued(self) -> int:
        """Change in permits issued into the account."""
        return self.permits + self.circulation + self.cancelled

    @property
    def cash(self) -> Decimal:
        """Change in cash as an exact decimal amount."""
        return from_cents(self.cash_cents)


def _check_record(record: Record) -> None:
    """Raise unless the record moves permits and cash the way its kind says."""
    kind = record.kind
    if kind not in KINDS:
        raise ValueError(f"record {record.seq} has unknown kind {kind!r}")
    fields = (record.permits, record.circulation, record.cancelled, record.cash_cents)
    if any(isinstance(v, bool) or not isinstance(v, int) for v in fields):
        raise TypeError(f"record {record.seq} must hold int permits and cents")
    permits, circulation, cancelled, cash = fields
    moved = permits + circulation == 0 and cancelled == 0
    if kind == "open":
        ok = cancelled == 0 and min(permits, circulation, cash) >= 0
    elif kind == "set_aside":
        ok = permits >= 0 and circulation == cancelled == cash == 0
    elif kind in _SALES:
        ok = moved and record.permits <= 0 and record.cash_cents >= 0
    elif kind in _PURCHASES:
        ok = moved and record.permits >= 0 and record.cash_cents <= 0
    elif kind == "recovery":
        ok = moved and record.permits >= 0 and record.cash_cents == 0
    elif kind == "free_allocation":
        ok = moved and record.permits <= 0 and record.cash_cents == 0
    elif kind == "surrender":
        ok = (
            record.circulation == -record.cancelled <= 0
            and record.permits == record.cash_cents == 0
        )
    else:  # cancellation
        ok = (
            record.permits == -record.cancelled <= 0
            and record.circulation == record.cash_cents == 0
        )
    if not ok:
        raise ValueError(f"record {record.seq} ({kind}) moves permits or cash the wrong way")
    if record.transfers:
        if sum(t.permits for t in record.transfers) != -record.permits - record.cancelled:
            raise ValueError(f"record {record.seq}: transfers do not add up to the permits moved")
        if sum(t.cents for t in record.transfers) != record.cash_cents:
            raise ValueError(f"record {record.seq}: transfers do not add up to the cash moved")


def _transfers(
    labels: NDArray[Any], codes: NDArray[np.int64], permits: NDArray[np.int64],
    cents: NDArray[np.int64], sign: int,
) -> tuple[Transfer, ...]:
    """Permits and cents summed by party (in order of first appearance), nonzero ones."""
    n = labels.size
    moved = np.zeros(n, dtype=np.int64)
    paid = np.zeros(n, dtype=np.int64)
    np.add.at(moved, codes, permits)
    np.add.at(paid, codes, cents)
    keep = np.flatnonzero((moved != 0) | (paid != 0))
    return tuple(
        Transfer(labels[i].item() if hasattr(labels[i], "item") else labels[i],
                 sign * int(moved[i]), sign * int(paid[i]))
        for i in keep
    )


def _seller_codes(offers: Offers) -> tuple[NDArray[Any], NDArray[np.int64]]:
    if offers.seller is None:
        return np.arange(len(offers)), np.arange(len(offers), dtype=np.int64)
    codes, uniques = factorize(offers.seller)
    return uniques, codes


# ---------------------------------------------------------------- fixed-price trades


def fixed_price_sale(
    bids: Bids,
    quantity: int,
    *,
    price: float,
    eligible: Collection[Hashable] | None = None,
    tie_break: TieBreak = "pro_rata",
    lot_size: int = 1,
    rng: SeedLike = None,
) -> AuctionResult:
    """Sell up to ``quantity`` permits at a set ``price`` to the buyers who ask.

    A bid is a request: its price is the most the buyer will pay, so a bid at
    or above ``price`` asks to buy its quantity at ``price``; a bid below it is
    not a request. When requests exceed ``quantity`` they are rationed by
    ``tie_break`` on the clearing engine, since every request stands at the
    same price.

    Parameters
    ----------
    bids : Bids
        The requests.
    quantity : int
        Permits on offer, >= 0.
    price : float
        The set price per permit, >= 0.
    eligible : collection of labels, optional
        The buyers allowed to buy (Hubei sold its reserve only to covered
        enterprises); a request from anyone else is an error.
    tie_break : {"pro_rata", "random", "time"}, default "pro_rata"
        How an oversubscribed sale is rationed.
    lot_size : int, default 1
        Permits per lot.
    rng : int, Generator or SeedSequence, optional
        Seed of any random rationing.

    Returns
    -------
    AuctionResult
        ``format="fixed_price"``, ``price_rule="fixed"``; every permit sold
        pays ``price``.

    Raises
    ------
    ValueError, TypeError
        For a negative quantity or price, or a request from an ineligible buyer.

    References
    ----------
    Shanxi seed, section 3.1.1 (a government reserve sold at a set price);
    the Hubei pilot (reserve allowances sold at a fixed price to
    covered enterprises).

    Examples
    --------
    Fifty permits at 20; the request at 18 is below the price and buys nothing,
    the other two share the fifty pro rata:

    >>> bids = Bids(bidder=["a", "b", "c"], price=[25.0, 20.0, 18.0], quantity=[60, 40, 10])
    >>> r = fixed_price_sale(bids, 50, price=20.0)
    >>> r.awarded.tolist(), r.revenue, r.clearing_price
    ([30, 20, 0], 1000.0, 20.0)
    """
    if not isinstance(bids, Bids):
        raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
    q = check_nonnegative_int("quantity", quantity)
    p = _check_price("price", price)
    check_choice("tie_break", tie_break, TIE_BREAKS)
    if eligible is not None:
        allowed = set(eligible)
        for label in bids.bidders.tolist():
            if label not in allowed:
                raise ValueError(f"bidder {label!r} is not eligible to buy at the fixed price")
    wants = bids.price >= p
    requests = Bids(
        bidder=bids.bidder,
        price=np.full(len(bids), p),
        quantity=np.where(wants, bids.quantity, 0),
        time=bids.time,
    )
    cleared = uniform_price(
        requests, q, reserve_price=p, tie_break=tie_break, lot_size=lot_size, rng=rng
    )
    return AuctionResult(
        format="fixed_price",
        bids=bids,
        offers=cleared.offers,
        clearing_price=cleared.clearing_price,
        awarded=cleared.awarded,
        payments=cleared.payments,
        offer_sold=cleared.offer_sold,
        status=cleared.status,
        price_rule="fixed",
        tie_break=tie_break,
        lot_size=cleared.lot_size,
    )


def fixed_price_purchase(
    offers: Offers,
    quantity: int,
    *,
    price: float,
    tie_break: TieBreak = "pro_rata",
    lot_size: int = 1,
    rng: SeedLike = None,
) -> AuctionResult:
    """Buy back up to ``quantity`` permits at a set ``price`` from the sellers who ask.

    An ask at or below ``price`` offers its quantity at ``price``; an ask above
    it is not an offer. When offers exceed ``quantity`` they are rationed by
    ``tie_break``. Every seller is paid ``price`` per permit, at or above its
    ask.

    Parameters
    ----------
    offers : Offers
        The sellers' asks.
    quantity : int
        Permits the regulator will buy, >= 0.
    price : float
        The set price per permit, >= 0.
    tie_break : {"pro_rata", "random", "time"}, default "pro_rata"
        How an oversubscribed buy-back is rationed.
    lot_size : int, default 1
        Permits per lot.
    rng : int, Generator or SeedSequence, optional
        Seed of any random rationing.

    Returns
    -------
    AuctionResult
        The regulator is the single bidder; ``receipts`` per ask.

    References
    ----------
    Dianzhong seed (``001_*.txt``), section 2.3 (government repurchase in the
    primary market).

    Examples
    --------
    >>> asks = Offers(price=[5.0, 8.0, 12.0], quantity=[10, 10, 10], seller=["x", "y", "z"])
    >>> r = fixed_price_purchase(asks, 15, price=10.0, tie_break="time")
    >>> r.offer_sold.tolist(), r.receipts.tolist()
    ([10, 5, 0], [100.0, 50.0, 0.0])
    """
    if not isinstance(offers, Offers):
        raise TypeError(f"offers must be an Offers curve (got {type(offers).__name__})")
    q = check_nonnegative_int("quantity", quantity)
    p = _check_price("price", price)
    check_choice("tie_break", tie_break, TIE_BREAKS)
    asks = Offers(
        price=np.full(len(offers), p),
        quantity=np.where(offers.price <= p, offers.quantity, 0),
        seller=offers.seller,
    )
    bought = reverse_auction(
        asks, demand=q, price_cap=p, tie_break=tie_break, lot_size=lot_size, rng=rng
    )
    return AuctionResult(
        format="fixed_price_purchase",
        bids=bought.bids,
        offers=offers,
        clearing_price=bought.clearing_price,
        awarded=bought.awarded,
        payments=bought.payments,
        offer_sold=bought.offer_sold,
        status=bought.status,
        price_rule="fixed",
        tie_break=tie_break,
        lot_size=bought.lot_size,
        receipts=bought.receipts,
    )


def _check_price(name: str, value: object) -> float:
    """A price >= 0 (naming the argument), as a float."""
    checked = check_price(name, value)
    assert checked is not None
    return checked


# ---------------------------------------------------------------- the account


class Reserve:
    """A government reserve of permits and cash, with an append-only ledger.

    Parameters
    ----------
    permits : int, default 0
        Permits the reserve holds when the account opens.
    cash : int, float, Decimal or str, default 0
        Cash it holds, in whole cents (see the module notes on money).
    circulation : int, default 0
        Permits held by firms when the account opens: the most that can be
        bought back or recovered until more are sold.
    note : str, optional
        Recorded on the opening record.

    Attributes
    ----------
    ledger : tuple of Record
        Every operation so far, the opening record first.

    Raises
    ------
    ValueError, TypeError
        For negative or fractional permits, or cash that is negative or not
        whole cents.

    See Also
    --------
    allocation.containment : containment reserves sold through auctions.
    allocation.price_band : sales and buy-backs that hold a price band.

    References
    ----------
    Shanxi seed, sections 3.1.1 and 3.1.3; Dianzhong seed, section 2.3; Hubei
    and Guangdong pilots (see the module notes).

    Examples
    --------
    A reserve of 1,000 permits and 5,000.00 in cash, 9,000 permits in
    circulation. It sells 100 at a set price of 25.50 (Hubei), auctions 300
    with a reserve price (Guangdong: the unsold ones stay in the reserve),
    and buys 50 back by reverse auction:

    >>> from auctions import Bids, Offers
    >>> reserve = Reserve(permits=1_000, cash=5_000, circulation=9_000)
    >>> bids = Bids(bidder=["a", "b"], price=[30.0, 26.0], quantity=[60, 80])
    >>> reserve.sell_fixed_price(bids, price=25.5, quantity=100).cash
    Decimal('2550.00')
    >>> sale = reserve.sell_by_auction(bids, 300, reserve_price=24.0)
    >>> sale.permits, sale.price, reserve.permits
    (-140, 26.0, 760)
    >>> asks = Offers(price=[18.0, 21.0], quantity=[30, 40], seller=["c", "d"])
    >>> reserve.repurchase(asks, demand=50, price_cap=22.0).cash
    Decimal('-1050.00')
    >>> reserve.state
    ReserveState(permits=810, circulation=9190, cancelled=0, cash_cents=1014000)
    >>> reserve.cash, reserve.revenue, reserve.spending
    (Decimal('10140.00'), Decimal('6190.00'), Decimal('1050.00'))

    The ledger rebuilds the account:

    >>> Reserve.from_ledger(reserve.ledger).state == reserve.state
    True
    """

    _permits: int
    _circulation: int
    _cancelled: int
    _cash: int
    _issued: int
    _revenue: int
    _spending: int
    _initial_cash: int
    _ledger: list[Record]

    def __init__(
        self,
        *,
        permits: int = 0,
        cash: object = 0,
        circulation: int = 0,
        note: str = "",
    ) -> None:
        held = check_nonnegative_int("permits", permits)
        out = check_nonnegative_int("circulation", circulation)
        cents = as_cents("cash", cash)
        self._reset()
        self._append(
            Record(seq=0, kind="open", permits=held, circulation=out, cash_cents=cents, note=note)
        )

    def _reset(self) -> None:
        self._permits = self._circulation = self._cancelled = 0
        self._cash = self._issued = self._revenue = self._spending = self._initial_cash = 0
        self._ledger = []

    @classmethod
    def from_ledger(cls, ledger: Iterable[Record]) -> Reserve:
        """Rebuild an account by replaying its ledger.

        Raises
        ------
        ValueError
            If the ledger does not open with one ``"open"`` record, its
            sequence numbers are not 0, 1, 2, ..., a record moves permits or
            cash the wrong way for its kind, or a balance would go negative.
        """
        account = cls.__new__(cls)
        account._reset()
        for i, record in enumerate(ledger):
            if not isinstance(record, Record):
                raise TypeError(f"ledger must hold Record entries (got {type(record).__name__})")
            if record.seq != i:
                raise ValueError(f"ledger record {i} has seq {record.seq}")
            if (record.kind == "open") != (i == 0):
                raise ValueError("a ledger opens with exactly one 'open' record, first")
            account._append(record)
        if not account._ledger:
            raise ValueError("ledger must not be empty")
        return account

    def _append(self, record: Record) -> Record:
        _check_record(record)
        permits = self._permits + record.permits
        circulation = self._circulation + record.circulation
        cash = self._cash + record.cash_cents
        if min(permits, circulation, cash) < 0:
            raise ValueError(f"record {record.seq} ({record.kind}) would leave a negative balance")
        self._permits, self._circulation, self._cash = permits, circulation, cash
        self._cancelled += record.cancelled
        self._issued += record.issued
        if record.kind == "open":
            self._initial_cash = record.cash_cents
        elif record.cash_cents > 0:
            self._revenue += record.cash_cents
        else:
            self._spending -= record.cash_cents
        self._ledger.append(record)
        return record

    def _next(self, kind: str, **fields: Any) -> Record:
        return self._append(Record(seq=len(self._ledger), kind=kind, **fields))

    # ------------------------------------------------------------ balances

    @property
    def permits(self) -> int:
        """Permits the reserve holds."""
        return self._permits

    @property
    def circulation(self) -> int:
        """Permits held by firms (sold or allocated, not bought back or recovered)."""
        return self._circulation

    @property
    def cancelled(self) -> int:
        """Permits cancelled (withdrawn for good)."""
        return self._cancelled

    @property
    def issued(self) -> int:
        """Permits issued into the account: ``permits + circulation + cancelled``."""
        return self._issued

    @property
    def cash_cents(self) -> int:
        """Cash, in cents."""
        return self._cash

    @property
    def cash(self) -> Decimal:
        """Cash as an exact decimal amount."""
        return from_cents(self._cash)

    @property
    def initial_cash(self) -> Decimal:
        """Cash the account opened with."""
        return from_cents(self._initial_cash)

    @property
    def revenue(self) -> Decimal:
        """All money received from sales."""
        return from_cents(self._revenue)

    @property
    def spending(self) -> Decimal:
        """All money spent on repurchases."""
        return from_cents(self._spending)

    @property
    def state(self) -> ReserveState:
        """The balances as one tuple."""
        return ReserveState(self._permits, self._circulation, self._cancelled, self._cash)

    @property
    def ledger(self) -> tuple[Record, ...]:
        """The ledger, oldest record first (a read-only copy)."""
        return tuple(self._ledger)

    def is_balanced(self) -> bool:
        """Both identities hold: permits are conserved and cash follows the ledger.

        ``permits + circulation + cancelled == issued`` and ``cash == initial
        cash + revenue - spending``, both exact, with no negative balance.
        """
        return (
            self._permits + self._circulation + self._cancelled == self._issued
            and self._cash == self._initial_cash + self._revenue - self._spending
            and min(self._permits, self._circulation, self._cancelled, self._cash) >= 0
        )

    def __repr__(self) -> str:
        return (
            f"Reserve(permits={self._permits}, circulation={self._circulation}, "
            f"cancelled={self._cancelled}, cash={self.cash}, records={len(self._ledger)})"
        )

    # ------------------------------------------------------------ permits only

    def set_aside(self, quantity: int, *, note: str = "") -> Record:
        """Place newly issued permits in the reserve (a share of the cap at allocation).

        Examples
        --------
        >>> r = Reserve()
        >>> r.set_aside(500, note="5% of the 2025 cap").permits, r.issued
        (500, 500)
        """
        q = check_nonnegative_int("quantity", quantity)
        return self._next("set_aside", permits=q, note=note)

    def recover(self, quantity: int, *, source: Hashable = None, note: str = "") -> Record:
        """Take back, free, permits from circulation (a closed installation's).

        Raises
        ------
        ValueError
            If ``quantity`` exceeds the permits in circulation.

        Examples
        --------
        >>> r = Reserve(circulation=100)
        >>> r.recover(40, source="closed kiln").transfers
        (Transfer(party='closed kiln', permits=-40, cents=0),)
        """
        q = check_nonnegative_int("quantity", quantity)
        if q > self._circulation:
            raise ValueError(
                f"quantity must be <= the {self._circulation} permits in circulation (got {q})"
            )
        transfers = () if source is None or q == 0 else (Transfer(source, -q, 0),)
        return self._next(
            "recovery", permits=q, circulation=-q, transfers=transfers, note=note
        )

    def allocate_free(
        self, parties: Collection[Hashable], permits: ArrayLike, *, note: str = ""
    ) -> Record:
        """Hand permits the reserve holds to ``parties`` free of charge (free allocation).

        Raises
        ------
        ValueError
            If the permits exceed those the reserve holds, or are negative or
            fractional.

        Examples
        --------
        >>> r = Reserve(permits=100)
        >>> r.allocate_free(["kiln", "mill"], [60, 30], note="benchmarking").transfers
        (Transfer(party='kiln', permits=60, cents=0), Transfer(party='mill', permits=30, cents=0))
        >>> r.permits, r.circulation
        (10, 90)
        """
        q, transfers = self._per_party("permits", parties, permits, sign=1)
        if q > self._permits:
            raise ValueError(
                f"permits must add up to <= the {self._permits} permits held (got {q})"
            )
        return self._next("free_allocation", permits=-q, circulation=q, transfers=transfers,
                          note=note)

    def retire(
        self, parties: Collection[Hashable], permits: ArrayLike, *, note: str = ""
    ) -> Record:
        """Take permits out of circulation for good: surrendered for compliance, or expired.

        Retired permits are counted in :attr:`cancelled`.

        Examples
        --------
        >>> r = Reserve(circulation=100)
        >>> r.retire(["kiln"], [70], note="surrendered for 2026").transfers
        (Transfer(party='kiln', permits=-70, cents=0),)
        >>> r.circulation, r.cancelled
        (30, 70)
        """
        q, transfers = self._per_party("permits", parties, permits, sign=-1)
        if q > self._circulation:
            raise ValueError(
                f"permits must add up to <= the {self._circulation} in circulation (got {q})"
            )
        return self._next("surrender", permits=0, circulation=-q, cancelled=q,
                          transfers=transfers,
                          note=note)

    @staticmethod
    def _per_party(
        name: str, parties: Collection[Hashable], permits: ArrayLike, *, sign: int
    ) -> tuple[int, tuple[Transfer, ...]]:
        labels = np.empty(len(parties), dtype=object)
        labels[:] = list(parties)
        amounts = np.asarray(permits)
        if amounts.shape != labels.shape:
            raise ValueError(
                f"{name} must have one entry per party ({labels.size}); got shape {amounts.shape}"
            )
        amounts = as_quantities(name, amounts) if amounts.size else amounts.astype(np.int64)
        codes, uniques = factorize(labels)
        zeros = np.zeros(amounts.size, dtype=np.int64)
        return int(amounts.sum()), _transfers(uniques, codes, amounts, zeros, sign)

    def cancel(self, quantity: int, *, note: str = "") -> Record:
        """Cancel permits the reserve holds (withheld or invalidated for good).

        Raises
        ------
        ValueError
            If ``quantity`` exceeds the permits the reserve holds.

        Examples
        --------
        >>> r = Reserve(permits=100)
        >>> r.cancel(30).cancelled, r.permits
        (30, 70)
        """
        q = check_nonnegative_int("quantity", quantity)
        if q > self._permits:
            raise ValueError(f"quantity must be <= the {self._permits} permits held (got {q})")
        return self._next("cancellation", permits=-q, cancelled=q, note=note)

    # ------------------------------------------------------------ sales

    def sell_fixed_price(
        self,
        bids: Bids,
        *,
        price: float,
        quantity: int,
        eligible: Collection[Hashable] | None = None,
        tie_break: TieBreak = "pro_rata",
        lot_size: int = 1,
        rng: SeedLike = None,
        note: str = "",
    ) -> Record:
        """Sell up to ``quantity`` permits at a set price (see :func:`fixed_price_sale`).

        Raises
        ------
        ValueError
            If ``quantity`` exceeds the permits held, the price is negative or
            not whole cents, or a bidder is not eligible.
        """
        q = check_nonnegative_int("quantity", quantity)
        as_cents("price", price)
        if q > self._permits:
            raise ValueError(f"quantity must be <= the {self._permits} permits held (got {q})")
        result = fixed_price_sale(
            bids, q, price=price, eligible=eligible, tie_break=tie_break, lot_size=lot_size,
            rng=rng,
        )
        return self._book_sale(result, "fixed_price_sale", note)

    def sell_by_auction(
        self,
        bids: Bids,
        supply: int | Offers,
        *,
        auction: str = "uniform_price",
        note: str = "",
        **options: Unpack[ClearingOptions],
    ) -> Record:
        """Auction permits from the reserve; unsold permits stay in it.

        Parameters
        ----------
        bids : Bids
            The sealed bids, in whole cents.
        supply : int or Offers
            Permits offered, or a supply curve (reserve price, containment
            steps); its total must not exceed the permits held.
        auction : str, default "uniform_price"
            A registered format (:func:`auctions.get_format`):
            ``"uniform_price"``, ``"pay_as_bid"``, ``"vickrey"`` or an alias.
        note : str, optional
        **options
            Clearing options (``reserve_price``, ``price_rule``, ``tie_break``,
            ``bidder_limit``, ``lot_size``, ``on_undersubscribed``,
            ``min_price``, ``rng``); prices in whole cents.

        Raises
        ------
        ValueError
            If the supply exceeds the permits held or a price is not whole cents.
        """
        if not isinstance(bids, Bids):
            raise TypeError(f"bids must be a Bids table (got {type(bids).__name__})")
        fmt = get_format(auction)
        offered = supply.total if isinstance(supply, Offers) else check_nonnegative_int(
            "supply", supply
        )
        if offered > self._permits:
            raise ValueError(
                f"supply must be <= the {self._permits} permits held (got {offered})"
            )
        _whole_cents("price", bids.price)
        if isinstance(supply, Offers):
            _whole_cents("supply price", supply.price)
        for name in ("reserve_price", "min_price"):
            value = options.get(name)
            if value is not None:
                as_cents(name, value)
        return self._book_sale(fmt(bids, supply, **options), "auction_sale", note)

    def book_sale(self, result: AuctionResult, *, note: str = "") -> Record:
        """Book an auction the reserve supplied (a containment auction, a tier sale).

        The permits offered (``result.supply``) must not exceed those held;
        payments must be whole cents.
        """
        if not isinstance(result, AuctionResult):
            raise TypeError(f"result must be an AuctionResult (got {type(result).__name__})")
        if result.receipts is not None:
            raise ValueError(f"result must be a sale (got a purchase, format {result.format!r})")
        if result.supply > self._permits:
            raise ValueError(
                f"result offers {result.supply} permits but the reserve holds {self._permits}"
            )
        return self._book_sale(result, "auction_sale", note)

    def _book_sale(self, result: AuctionResult, kind: str, note: str) -> Record:
        sold = result.sold
        if sold > self._permits:  # pragma: no cover - the supply was checked first
            raise ValueError(f"sale of {sold} permits exceeds the {self._permits} held")
        bids = result.bids
        codes, n = bids.bidder_codes, len(bids.bidders)
        paid = _sale_cents(result, codes, n)
        won = group_sum(codes, result.awarded, n)
        transfers = _transfers(bids.bidders, np.arange(n, dtype=np.int64), won, paid, 1)
        return self._next(
            kind,
            permits=-sold,
            circulation=sold,
            cash_cents=int(paid.sum()),
            price=result.clearing_price,
            transfers=transfers,
            result=result,
            note=note,
        )

    # ------------------------------------------------------------ repurchases

    def repurchase(
        self,
        offers: Offers,
        *,
        demand: int | None = None,
        budget: object = None,
        price_cap: float | None = None,
        pricing: Literal["uniform", "pay_as_bid", "proportional_share"] = "uniform",
        price_rule: PriceRule = "last_accepted",
        tie_break: TieBreak = "pro_rata",
        lot_size: int = 1,
        rng: SeedLike = None,
        note: str = "",
    ) -> Record:
        """Buy permits back by reverse auction (:func:`auctions.reverse_auction`).

        Parameters
        ----------
        offers : Offers
            Firms' asks, in whole cents; their total must not exceed the
            permits in circulation.
        demand : int, optional
            The most permits to buy.
        budget : amount, optional
            The most to spend, in whole cents, at most the cash held. When
            omitted the budget is all the cash held, so a buy-back never
            overdraws.
        price_cap : float, optional
            The highest price per permit paid.
        pricing, price_rule, tie_break, lot_size, rng
            As for :func:`auctions.reverse_auction`. Under
            ``"proportional_share"`` each price per permit is rounded down
            to the cent (see the module notes).
        note : str, optional

        Raises
        ------
        ValueError
            If the budget exceeds the cash held, the asks exceed the permits
            in circulation, or a price is negative or not whole cents.
        """
        if not isinstance(offers, Offers):
            raise TypeError(f"offers must be an Offers curve (got {type(offers).__name__})")
        _whole_cents("price", offers.price)
        _optional_cents("price_cap", price_cap)
        money = self._cash if budget is None else as_cents("budget", budget)
        if money > self._cash:
            raise ValueError(
                f"budget must be <= the cash held, {self.cash} (got {from_cents(money)})"
            )
        if offers.total > self._circulation:
            raise ValueError(
                f"offers total {offers.total} permits but only {self._circulation} "
                "are in circulation"
            )
        result = reverse_auction(
            offers, demand=demand, budget=money / 100, price_cap=price_cap, pricing=pricing,
            price_rule=price_rule, tie_break=tie_break, lot_size=lot_size, rng=rng,
        )
        return self._book_purchase(result, "repurchase", note, money)

    def repurchase_fixed_price(
        self,
        offers: Offers,
        *,
        price: float,
        quantity: int,
        tie_break: TieBreak = "pro_rata",
        lot_size: int = 1,
        rng: SeedLike = None,
        note: str = "",
    ) -> Record:
        """Buy back up to ``quantity`` permits at a set price (:func:`fixed_price_purchase`).

        The purchase must be funded in full: ``price * quantity`` may not
        exceed the cash held, whatever the sellers then offer.

        Raises
        ------
        ValueError
            If ``price * quantity`` exceeds the cash held, the asks exceed the
            permits in circulation, or a price is negative or not whole cents.
        """
        if not isinstance(offers, Offers):
            raise TypeError(f"offers must be an Offers curve (got {type(offers).__name__})")
        q = check_nonnegative_int("quantity", quantity)
        unit = as_cents("price", price)
        _whole_cents("offers price", offers.price)
        if unit * q > self._cash:
            raise ValueError(
                f"buying {q} permits at {from_cents(unit)} needs {from_cents(unit * q)} "
                f"but the reserve holds {self.cash}"
            )
        if offers.total > self._circulation:
            raise ValueError(
                f"offers total {offers.total} permits but only {self._circulation} "
                "are in circulation"
            )
        result = fixed_price_purchase(
            offers, q, price=price, tie_break=tie_break, lot_size=lot_size, rng=rng
        )
        return self._book_purchase(result, "fixed_price_repurchase", note, self._cash)

    def book_purchase(self, result: AuctionResult, *, note: str = "") -> Record:
        """Book a buy-back decided elsewhere (a reverse auction's result).

        Raises
        ------
        ValueError
            If the permits bought exceed those in circulation or the money
            spent exceeds the cash held.
        """
        if not isinstance(result, AuctionResult):
            raise TypeError(f"result must be an AuctionResult (got {type(result).__name__})")
        if result.receipts is None:
            raise ValueError(f"result must be a purchase (got a sale, format {result.format!r})")
        return self._book_purchase(result, "repurchase", note, self._cash)

    def _book_purchase(
        self, result: AuctionResult, kind: str, note: str, budget_cents: int
    ) -> Record:
        assert result.receipts is not None
        sold = result.offer_sold
        bought = int(sold.sum())
        if bought > self._circulation:
            raise ValueError(
                f"purchase of {bought} permits exceeds the {self._circulation} in circulation"
            )
        if result.price_rule == "threshold":  # proportional share: round each price down
            per_permit = np.divide(
                result.receipts, sold, out=np.zeros(len(sold)), where=sold > 0
            )
            cents = sold * np.floor(per_permit * 100 + _CENT_TOLERANCE).astype(np.int64)
        else:
            cents = _payment_cents("receipts", result.receipts)
        spent = int(cents.sum())
        if spent > min(budget_cents, self._cash):
            raise ValueError(
                f"purchase would spend {from_cents(spent)} but only "
                f"{from_cents(min(budget_cents, self._cash))} is available"
            )
        labels, codes = _seller_codes(result.offers)
        transfers = _transfers(labels, codes, sold, cents, -1)
        return self._next(
            kind,
            permits=bought,
            circulation=-bought,
            cash_cents=-spent,
            price=result.clearing_price,
            transfers=transfers,
            result=result,
            note=note,
        )
