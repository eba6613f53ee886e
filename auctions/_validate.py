"""Argument checks shared by every mechanism.

Each check raises a ``ValueError`` or ``TypeError`` that names the argument
and the offending value, and returns a fresh array so that the caller's data
is never mutated.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Hashable, Iterable
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "as_labels",
    "as_prices",
    "as_quantities",
    "check_choice",
    "check_nonnegative_int",
    "check_price",
    "check_share",
    "check_total_quantity",
    "real_as_float",
    "same_length",
]


def _one_dimensional(name: str, values: ArrayLike) -> NDArray[Any]:
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of numbers (got the string {values!r})")
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (got shape {arr.shape})")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def as_prices(name: str, values: ArrayLike) -> NDArray[np.float64]:
    """A fresh, read-only float64 copy of ``values``: finite and >= 0."""
    arr = _one_dimensional(name, values)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    out = np.array(arr, dtype=np.float64, copy=True)
    bad = ~np.isfinite(out)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name} must be finite (got {out[i].item()!r} at index {i})")
    neg = out < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise ValueError(f"{name} must be >= 0 (got {out[i].item()!r} at index {i})")
    out.flags.writeable = False
    return out


def as_quantities(name: str, values: ArrayLike) -> NDArray[np.int64]:
    """A fresh, read-only int64 copy of ``values``: whole numbers >= 0."""
    arr = _one_dimensional(name, values)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold whole numbers (got dtype {arr.dtype})")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.floor(arr))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be whole numbers (got {arr[i].item()!r} at index {i})")
        if (np.abs(arr) >= 2.0**63).any():
            raise ValueError(f"{name} is too large for 64-bit integers")
    if arr.dtype.kind == "u" and (arr >= 2**63).any():
        i = int(np.argmax(arr >= 2**63))
        raise ValueError(f"{name} is too large for 64-bit integers (got {arr[i].item()} "
                         f"at index {i})")
    out = np.array(arr, dtype=np.int64, copy=True)
    neg = out < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise ValueError(f"{name} must be >= 0 (got {out[i].item()!r} at index {i})")
    out.flags.writeable = False
    return out


def as_labels(name: str, values: Iterable[Hashable] | ArrayLike) -> NDArray[Any]:
    """A fresh, read-only one-dimensional array of hashable labels.

    Tuples stay whole labels (they are not spread into a second axis).
    """
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a sequence of labels (got the string {values!r})")
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional (got shape {values.shape})")
        out = values.copy()
    else:
        items = list(values)  # type: ignore[arg-type]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        kinds = {type(x) for x in items}
        if kinds == {int} or kinds == {str}:
            narrowed = np.asarray(items)
            if narrowed.ndim == 1 and narrowed.dtype.kind in "iuU":
                out = narrowed
    if out.size == 0:
        raise ValueError(f"{name} must not be empty")
    if out.dtype == object:
        for i, label in enumerate(out):
            if not isinstance(label, Hashable):
                raise TypeError(f"{name} must hold hashable labels (got {label!r} at index {i})")
    out.flags.writeable = False
    return out


def same_length(**arrays: NDArray[Any]) -> int:
    """The common length of ``arrays``, or a ValueError naming the mismatch."""
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"lengths differ: {shown}")
    return next(iter(lengths.values()))


def check_choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ValueError listing them."""
    options = tuple(allowed)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))} (got {value!r})")
    return value


def check_nonnegative_int(
    name: str, value: object, *, minimum: int = 0, int64: bool = False,
) -> int:
    """``value`` as an int if it is a whole number >= ``minimum`` (and, with
    ``int64``, below 2**63: a count kept in int64 arrays, refused here rather
    than wrapped or overflowing later)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number (got {value!r})")
    result = int(value)
    if result < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {result})")
    if int64 and result >= 2**63:
        raise ValueError(f"{name} must be below 2**63 (got {result})")
    return result


def check_price(name: str, value: object, *, allow_none: bool = False) -> float | None:
    """``value`` as a float if it is a finite number >= 0."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {value!r})")
    result = real_as_float(name, value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite (got {result!r})")
    if result < 0:
        raise ValueError(f"{name} must be >= 0 (got {result!r})")
    return result


def real_as_float(name: str, value: numbers.Real | float, rule: str | None = None) -> float:
    """``float(value)``, or a ValueError naming ``name`` where it is beyond float64
    (``rule`` states what was expected; by default, a price)."""
    try:
        return float(value)
    except OverflowError:
        negative = value < 0
        digits = len(str(abs(math.trunc(value))))
        if rule is None:
            rule = ">= 0" if negative else f"at most {sys.float_info.max:.4g}"
        raise ValueError(f"{name} must be {rule} (got a {'negative ' if negative else ''}"
                         f"number of {digits} digits)") from None


def check_share(name: str, value: object) -> Fraction:
    """``value`` as an exact fraction in (0, 1].

    The fraction is read from the number's shortest decimal form, so that
    ``0.29`` means 29/100 and not the binary float just below it.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 1] (got {value!r})")
    if not math.isfinite(real_as_float(name, value, "in (0, 1]")) or not 0 < float(value) <= 1:
        raise ValueError(f"{name} must be in (0, 1] (got {value!r})")
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    return Fraction(repr(float(value)))


def check_total_quantity(name: str, quantities: NDArray[np.int64]) -> float:
    """A ValueError unless the non-negative ``quantities`` total less than 2**63;
    returns the total as a float (for :func:`check_finite_value`).

    Totals are kept in int64 (``Bids.total``, running sums of demand and
    supply), so a table whose total would not fit is refused rather than
    summed with wraparound. The float sum errs far less than a factor of two,
    so only a float total of 2**62 or more is summed again exactly.
    """
    approx = float(quantities.sum(dtype=np.float64))
    if approx >= 2.0**62:
        total = int(quantities.sum(dtype=object))
        if total >= 2**63:
            raise ValueError(f"{name} must total less than 2**63 permits (got {total})")
    return approx


def check_finite_value(
    prices: NDArray[np.float64], quantities: NDArray[np.int64], total: float | None = None,
) -> None:
    """A ValueError if the total value ``sum(price * quantity)`` overflows float64.

    Every payment a mechanism computes is bounded by that total, so a table
    that passes cannot produce an infinite payment or revenue. ``total`` is
    ``quantities.sum()`` as a float, where the caller has it already.
    """
    if not prices.size:
        return
    top = float(prices.max())
    if total is None:
        total = float(quantities.sum(dtype=np.float64))
    if math.isfinite(top * total):
        return
    with np.errstate(over="ignore"):
        total = float(np.dot(prices, quantities.astype(np.float64)))
    if not math.isfinite(total):
        raise ValueError(
            f"price x quantity must have a finite total (got a total value beyond "
            f"{sys.float_info.max:.4g}: largest price {top!r}, "
            f"{int(quantities.sum(dtype=object))} permits)"
        )
