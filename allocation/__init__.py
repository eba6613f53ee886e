"""Emission-permit policy on top of :mod:`auctions`.

Firms, caps, free allocation rules, reserves, the secondary market, compliance
and the ``permits`` command line.

Examples
--------
>>> from allocation import Firms, benchmarking
>>> firms = Firms(["a", "b"], product="clinker", entry_year=[1990, 2021],
...               base_years=[2020], emissions=[[900.0], [float("nan")]],
...               output=[[1000.0], [float("nan")]], current_output=[1000.0, 1000.0])
>>> benchmarking(firms, 1500, benchmarks={"clinker": 0.766}, activity="current").permits.tolist()
[750, 750]
"""

from allocation import fairness, stability
from allocation.benchmarking import benchmarking
from allocation.containment import (
    ContainmentOutcome,
    containment_auction,
    containment_offers,
    price_containment_tiers,
    reserve_sale_offered,
    rggi_auction,
    rggi_prices,
    tier_sale,
)
from allocation.equal_quantity import equal_quantity
from allocation.ex_post_adjustment import Adjustment, ex_post_adjustment
from allocation.fairness import compare
from allocation.firms import Firms
from allocation.free_allocation import Allocation, conserves_cap
from allocation.grandfathering import grandfathering
from allocation.historical_intensity import historical_intensity
from allocation.hybrid import hybrid
from allocation.price_band import PriceBand, band_intervention, intervene
from allocation.reference import (
    china_power_benchmarks,
    eu_correction_factor,
    eu_product_benchmarks,
    reference_table,
)
from allocation.reserve import Record, Reserve, fixed_price_purchase, fixed_price_sale
from allocation.rounding import largest_remainder
from allocation.rules import RULE_ALIASES, RULES, get_rule
from allocation.stability import msr_intake, msr_invalidation, msr_release, msr_update

__all__: list[str] = [
    "RULES",
    "RULE_ALIASES",
    "Adjustment",
    "Allocation",
    "ContainmentOutcome",
    "Firms",
    "PriceBand",
    "Record",
    "Reserve",
    "band_intervention",
    "benchmarking",
    "china_power_benchmarks",
    "compare",
    "conserves_cap",
    "containment_auction",
    "containment_offers",
    "equal_quantity",
    "eu_correction_factor",
    "eu_product_benchmarks",
    "ex_post_adjustment",
    "fairness",
    "fixed_price_purchase",
    "fixed_price_sale",
    "get_rule",
    "grandfathering",
    "historical_intensity",
    "hybrid",
    "intervene",
    "largest_remainder",
    "msr_intake",
    "msr_invalidation",
    "msr_release",
    "msr_update",
    "price_containment_tiers",
    "reference_table",
    "reserve_sale_offered",
    "rggi_auction",
    "rggi_prices",
    "stability",
    "tier_sale",
]
