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

from allocation import fairness, programmes, stability
from allocation.abatement import (
    LinearMAC,
    MarginalAbatementCost,
    PiecewiseLinearMAC,
    QuadraticMAC,
    StackedMAC,
    TechnologyStep,
    stack,
)
from allocation.benchmarking import benchmarking
from allocation.compliance import (
    ACID_RAIN,
    EU_ETS,
    EU_ETS_PHASE_1,
    NO_PENALTY,
    PENALTY_RULES,
    THREE_FOR_ONE,
    THREE_TIMES_PRICE,
    NextPeriod,
    PenaltyRule,
    Surrender,
    balances,
    next_period,
    respects_limits,
    retention_limit,
    surrender,
)
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
from allocation.linking import Link, LinkedResult, Region, linked_equilibrium, two_way
from allocation.market import (
    MARKET_METHODS,
    MARKET_STATUSES,
    InfeasibleError,
    MarketResult,
    TwoFirmTrade,
    equilibrium,
    two_firm_model,
)
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
from allocation.simulation import (
    FirmYear,
    Scenario,
    SimulationResult,
    YearResult,
    load_scenario,
    simulate,
)
from allocation.stability import msr_intake, msr_invalidation, msr_release, msr_update

__all__: list[str] = [
    "ACID_RAIN",
    "EU_ETS",
    "EU_ETS_PHASE_1",
    "MARKET_METHODS",
    "MARKET_STATUSES",
    "NO_PENALTY",
    "PENALTY_RULES",
    "RULES",
    "RULE_ALIASES",
    "THREE_FOR_ONE",
    "THREE_TIMES_PRICE",
    "Adjustment",
    "Allocation",
    "ContainmentOutcome",
    "FirmYear",
    "Firms",
    "InfeasibleError",
    "LinearMAC",
    "Link",
    "LinkedResult",
    "MarginalAbatementCost",
    "MarketResult",
    "NextPeriod",
    "PenaltyRule",
    "PiecewiseLinearMAC",
    "PriceBand",
    "QuadraticMAC",
    "Record",
    "Region",
    "Reserve",
    "Scenario",
    "SimulationResult",
    "StackedMAC",
    "Surrender",
    "TechnologyStep",
    "TwoFirmTrade",
    "YearResult",
    "balances",
    "band_intervention",
    "benchmarking",
    "china_power_benchmarks",
    "compare",
    "conserves_cap",
    "containment_auction",
    "containment_offers",
    "equal_quantity",
    "equilibrium",
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
    "linked_equilibrium",
    "load_scenario",
    "msr_intake",
    "msr_invalidation",
    "msr_release",
    "msr_update",
    "next_period",
    "price_containment_tiers",
    "programmes",
    "reference_table",
    "reserve_sale_offered",
    "respects_limits",
    "retention_limit",
    "rggi_auction",
    "rggi_prices",
    "simulate",
    "stability",
    "stack",
    "surrender",
    "tier_sale",
    "two_firm_model",
    "two_way",
]
