"""A name-to-function registry of the free-allocation rules, for sweeps and configs.

Examples
--------
>>> sorted(RULES)
['benchmarking', 'equal_quantity', 'grandfathering', 'historical_intensity']
>>> get_rule("historical_emissions").__name__
'grandfathering'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TypeAlias

from allocation.benchmarking import benchmarking
from allocation.equal_quantity import equal_quantity
from allocation.free_allocation import Allocation
from allocation.grandfathering import grandfathering
from allocation.historical_intensity import historical_intensity

__all__ = ["RULES", "RULE_ALIASES", "AllocationRule", "get_rule"]


#: A rule: ``rule(firms, cap, **options) -> Allocation``.
AllocationRule: TypeAlias = Callable[..., Allocation]


RULES: Mapping[str, AllocationRule] = MappingProxyType(
    {
        "grandfathering": grandfathering,
        "benchmarking": benchmarking,
        "historical_intensity": historical_intensity,
        "equal_quantity": equal_quantity,
    }
)

#: Synonyms from the literature and from regulators' rules.
RULE_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "historical_emissions": "grandfathering",
        "历史排放法": "grandfathering",
        "历史总量下降法": "grandfathering",
        "benchmark": "benchmarking",
        "output_based": "benchmarking",
        "行业基准线法": "benchmarking",
        "historical_intensity_decline": "historical_intensity",
        "历史强度下降法": "historical_intensity",
        "equal_amount": "equal_quantity",
        "等量法": "equal_quantity",
    }
)


def get_rule(name: str) -> AllocationRule:
    """The rule registered under ``name`` or one of its aliases."""
    key = RULE_ALIASES.get(name, name) if isinstance(name, str) else name
    if not isinstance(key, str) or key not in RULES:
        known = ", ".join(sorted([*RULES, *RULE_ALIASES]))
        raise ValueError(f"rule must be one of {known} (got {name!r})")
    return RULES[key]
