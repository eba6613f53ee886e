"""A price band held by the government reserve (Shanxi's benchmark price and float).

The regulator publishes a reference (benchmark) price and a band around it.
When the secondary-market price rises above the band, it sells permits from
its reserve at the top of the band; when the price falls below the band, it
buys permits back at the bottom. Each intervention is bounded by what the
reserve holds: it cannot sell more permits than it has, nor buy more than its
cash pays for. Selling at the ceiling supplies every buyer willing to pay
more, which is what holds the price down; buying at the floor holds it up.

Shanxi sets a government-guided benchmark price for each pollutant's emission
rights (1.3 of the Shanxi seed), and trades between enterprises took place at
that unified price with an upward float of at most 20 % (2.1.2); the seed
proposes a government reserve sold at a set price or by public auction to
regulate the market (3.1.1), priced apart from the secondary market (3.1.3).
The band here defaults to 20 % on both sides of the reference, the example of
the issue this module answers; the seed itself names only the upward 20 %.
The Dianzhong seed (``001_*.txt``, section 2.2) gives Shanxi's guideline price
for sulphur dioxide emission rights: 18,000 yuan per ton.

Band edges are money and are rounded to the cent, halves up: the floor is
``reference * (1 - lower)`` and the ceiling ``reference * (1 + upper)``, each
computed in decimal from the numbers as written.

References
----------
Shanxi seed (``002_*.txt``): sections 1.3 (benchmark prices), 2.1.2 (trades at
a unified price, floating up by no more than 20 %), 3.1.1 and 3.1.3 (a
government reserve sold at a set price or by auction to regulate the
market). Dianzhong seed (``001_*.txt``), section 2.2 (Shanxi's guideline
price of 18,000 yuan per ton of SO2).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from allocation.reserve import Record, Reserve, as_cents
from auctions import Bids, Offers
from auctions._exact import DECIMAL
from auctions._validate import check_nonnegative_int, check_price, real_as_float

__all__ = ["SHANXI_FLOAT", "Intervention", "PriceBand", "band_intervention", "intervene"]

#: Shanxi's float around the benchmark price (the seed's 20 %).
SHANXI_FLOAT: Final = 0.2

_CENT = Decimal("0.01")


def _share(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a real number in [0, 1] (got {value!r})")
    v = real_as_float(name, value, "in [0, 1]")
    if not math.isfinite(v) or not 0 <= v <= 1:
        raise ValueError(f"{name} must be in [0, 1] (got {value!r})")
    return Decimal(repr(v))


@dataclass(frozen=True, kw_only=True)
class PriceBand:
    """A band around a reference price: ``[reference (1 - lower), reference (1 + upper)]``.

    Parameters
    ----------
    reference : float
        The benchmark price, > 0, inside the band once its edges are rounded
        to the cent (a reference under half a cent is refused: its band
        would sell permits at 0).
    lower, upper : float, default 0.2
        How far below and above the reference the band reaches, as shares of
        it; ``lower`` in [0, 1], ``upper`` >= 0, the ceiling a finite price.

    Attributes
    ----------
    floor, ceiling : float
        The band edges, rounded to the cent.

    Examples
    --------
    Shanxi's SO2 guideline price with a 20 % float:

    >>> band = PriceBand(reference=18_000.0)
    >>> band.floor, band.ceiling
    (14400.0, 21600.0)
    >>> band.position(22_000.0), band.position(15_000.0), band.position(14_000.0)
    ('above', 'inside', 'below')
    """

    reference: float
    lower: float = SHANXI_FLOAT
    upper: float = SHANXI_FLOAT

    def __post_init__(self) -> None:
        ref = check_price("reference", self.reference)
        assert ref is not None
        if ref == 0:
            raise ValueError(f"reference must be > 0 (got {self.reference!r})")
        _share("lower", self.lower)
        if isinstance(self.upper, bool) or not isinstance(self.upper, int | float):
            raise TypeError(f"upper must be a real number >= 0 (got {self.upper!r})")
        upper = real_as_float("upper", self.upper, "a finite number >= 0")
        if not math.isfinite(upper) or upper < 0:
            raise ValueError(f"upper must be a finite number >= 0 (got {self.upper!r})")
        floor, ceiling = self.floor, self.ceiling
        if not math.isfinite(ceiling):
            raise ValueError(f"reference x (1 + upper) must be a finite price (got reference "
                             f"{self.reference!r}, upper {self.upper!r})")
        if not floor <= ref <= ceiling or ceiling == 0:
            raise ValueError(
                f"reference must lie in its band rounded to the cent (got {self.reference!r} "
                f"and the band [{floor}, {ceiling}])")

    def _edge(self, share: Decimal, sign: int) -> float:
        """``reference (1 + sign x share)`` rounded half up to the cent."""
        with decimal.localcontext(DECIMAL):
            edge = Decimal(repr(float(self.reference))) * (1 + sign * share)
            return float(edge.quantize(_CENT))

    @property
    def floor(self) -> float:
        """The bottom of the band, at which the reserve buys."""
        return self._edge(_share("lower", self.lower), -1)

    @property
    def ceiling(self) -> float:
        """The top of the band, at which the reserve sells."""
        return self._edge(Decimal(repr(float(self.upper))), 1)

    def position(self, price: float) -> Literal["below", "inside", "above"]:
        """Where ``price`` lies: below the floor, inside, or above the ceiling (strictly)."""
        p = check_price("price", price)
        assert p is not None
        if p > self.ceiling:
            return "above"
        if p < self.floor:
            return "below"
        return "inside"


@dataclass(frozen=True, kw_only=True)
class Intervention:
    """What the reserve does about one market price.

    Attributes
    ----------
    action : {"sell", "buy", "none"}
    quantity : int
        Permits to sell or buy, after the bound.
    price : float or None
        The band edge it trades at (None when it does nothing).
    wanted : int
        Permits the rule asked for, before the bound.
    bound : {"permits", "cash", "circulation"} or None
        What cut the quantity below ``wanted``, if anything.
    """

    action: Literal["sell", "buy", "none"]
    quantity: int
    price: float | None
    wanted: int
    bound: Literal["permits", "cash", "circulation"] | None


def band_intervention(
    band: PriceBand,
    price: float,
    *,
    permits: int,
    cash: object,
    tranche: int,
    circulation: int | None = None,
) -> Intervention:
    """Decide the reserve's intervention for a secondary-market ``price``.

    Above the band, sell ``tranche`` permits at the ceiling, or all the
    reserve holds if fewer. Below it, buy ``tranche`` permits at the floor, or
    as many as the cash pays for (or as many as are in circulation) if fewer.
    Inside it, nothing.

    Parameters
    ----------
    band : PriceBand
    price : float
        The secondary-market price, >= 0.
    permits : int
        Permits the reserve holds.
    cash : amount
        Cash it holds, in whole cents.
    tranche : int
        Permits the regulator trades per intervention, >= 0.
    circulation : int, optional
        Permits held by firms, the most that can be bought back.

    Returns
    -------
    Intervention

    Examples
    --------
    >>> band = PriceBand(reference=18_000.0)
    >>> band_intervention(band, 23_000.0, permits=30, cash=0, tranche=50)
    Intervention(action='sell', quantity=30, price=21600.0, wanted=50, bound='permits')
    >>> band_intervention(band, 12_000.0, permits=0, cash=100_000, tranche=50).quantity
    6
    """
    if not isinstance(band, PriceBand):
        raise TypeError(f"band must be a PriceBand (got {type(band).__name__})")
    held = check_nonnegative_int("permits", permits)
    money = as_cents("cash", cash)
    want = check_nonnegative_int("tranche", tranche)
    outside = None if circulation is None else check_nonnegative_int("circulation", circulation)
    where = band.position(price)
    if where == "above":
        q = min(want, held)
        return Intervention(action="sell", quantity=q, price=band.ceiling, wanted=want,
                            bound="permits" if q < want else None)
    if where == "below":
        unit = as_cents("floor", band.floor)
        affordable = money // unit if unit else want
        q = min(want, affordable)
        bound: Literal["cash", "circulation"] | None = "cash" if q < want else None
        if outside is not None and outside < q:
            q, bound = outside, "circulation"
        return Intervention(action="buy", quantity=q, price=band.floor, wanted=want,
                            bound=bound)
    return Intervention(action="none", quantity=0, price=None, wanted=0, bound=None)


def intervene(
    reserve: Reserve,
    band: PriceBand,
    price: float,
    *,
    tranche: int,
    market: Hashable = "market",
) -> Record | None:
    """Hold the band: sell from or buy into ``reserve`` at the band's edge.

    The counterparty is the market as a whole (labelled ``market``). Returns
    the ledger record, or None when the price is inside the band or the
    reserve has nothing to trade.

    Examples
    --------
    >>> reserve = Reserve(permits=100, cash=50_000, circulation=1_000)
    >>> band = PriceBand(reference=18_000.0)
    >>> intervene(reserve, band, 22_500.0, tranche=40).cash
    Decimal('864000.00')
    >>> intervene(reserve, band, 13_000.0, tranche=100).permits
    63
    >>> reserve.permits, reserve.cash
    (123, Decimal('6800.00'))
    """
    if not isinstance(reserve, Reserve):
        raise TypeError(f"reserve must be a Reserve (got {type(reserve).__name__})")
    decision = band_intervention(
        band, price, permits=reserve.permits, cash=reserve.cash, tranche=tranche,
        circulation=reserve.circulation,
    )
    if decision.quantity == 0 or decision.price is None:
        return None
    q, edge = decision.quantity, decision.price
    note = f"price band: market {price} {'above' if decision.action == 'sell' else 'below'} band"
    if decision.action == "sell":
        bids = Bids(bidder=[market], price=[edge], quantity=[q])
        return reserve.sell_fixed_price(bids, price=edge, quantity=q, note=note)
    asks = Offers(price=[edge], quantity=[q], seller=[market])
    return reserve.repurchase_fixed_price(asks, price=edge, quantity=q, note=note)
