# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Who gets the free permits? Grandfathering, benchmarking, historical intensity
#
# Most emissions trading systems started by giving permits away. The
# regulator fixes a cap (the total number of permits for the year) and shares
# it among the installations it covers, by a rule. Three rules dominate:
#
# - **grandfathering**: in proportion to what each installation emitted in
#   the past (the base years);
# - **benchmarking**: a fixed number of permits per unit of product (per MWh
#   of electricity, per tonne of clinker), the same for every installation,
#   times its output;
# - **historical intensity**: each installation's *own* past emissions per
#   unit of output, times its current output, times a reduction factor such
#   as 0.98 (the method of several Chinese pilot markets).
#
# The rules look technical, but they decide who pays. A study of Yunnan's
# market found that enterprises in the system before it began received their
# permits free while later ones paid, so that an "equal" rule was not fair.
# This notebook puts the three rules side by side on the same small market and
# asks what each does to **new entrants**, installations built after the base
# years, which have no history:
#
# 1. a regional market of power, cement and steel installations;
# 2. the three rules on the same cap;
# 3. the vintage gap: incumbents' against new entrants' permits per unit of
#    output;
# 4. what it costs once permits have a price;
# 5. how unequal each allocation is: the Lorenz curve and the Gini
#    coefficient;
# 6. whether the pattern survives many random markets.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from allocation import Firms, china_power_benchmarks, compare, eu_product_benchmarks
from allocation.fairness import net_cost_per_output, permits_per_output, twin_gap, vintage_gap
from allocation.plotting import plot_lorenz, plot_vintage_groups

SMALL = bool(os.environ.get("PERMITS_NOTEBOOK_SMALL"))  # the test suite runs a small version
MARKETS = 20 if SMALL else 400
pd.options.display.float_format = "{:,.3f}".format

# %% [markdown]
# ## 1. A regional market
#
# Nine installations: three power plants, three cement kilns and three steel
# works. In each sector two are **incumbents**, with output and emissions
# recorded in the base years 2019 and 2020, and one is a **new entrant** that
# started in 2021 and has no record. We allocate for 2022.
#
# Each installation has a technology, measured by its emissions per unit of
# output (its *intensity*): tonnes of CO2 per MWh for power, per tonne of
# clinker for cement, per tonne of hot metal for steel. The new entrants use
# newer and cleaner technology than the incumbents of their sector.

# %%
nan = np.nan
PRODUCT = {"power": "coal_300mw_plus", "cement": "grey cement clinker", "steel": "hot metal"}
market = pd.DataFrame(
    [
        # id, sector, entry year, t CO2 per unit of output, output in 2019, 2020, 2022
        ("power-1", "power", 1994, 0.98, 2.0e6, 1.9e6, 1.8e6),
        ("power-2", "power", 2006, 0.88, 3.0e6, 3.1e6, 3.0e6),
        ("power-new", "power", 2021, 0.82, nan, nan, 2.5e6),
        ("cement-1", "cement", 1988, 0.88, 1.2e6, 1.1e6, 1.0e6),
        ("cement-2", "cement", 2009, 0.80, 0.9e6, 0.9e6, 0.9e6),
        ("cement-new", "cement", 2021, 0.74, nan, nan, 1.0e6),
        ("steel-1", "steel", 1979, 1.55, 1.5e6, 1.4e6, 1.3e6),
        ("steel-2", "steel", 2001, 1.45, 1.0e6, 1.0e6, 1.1e6),
        ("steel-new", "steel", 2021, 1.36, nan, nan, 1.2e6),
    ],
    columns=[
        "id",
        "sector",
        "entry_year",
        "intensity",
        "output_2019",
        "output_2020",
        "output_2022",
    ],
)
history = market[["output_2019", "output_2020"]].to_numpy()
intensity = market["intensity"].to_numpy()
firms = Firms(
    market["id"].tolist(),
    sector=market["sector"].tolist(),
    product=[PRODUCT[s] for s in market["sector"]],
    entry_year=market["entry_year"].to_numpy(),
    base_years=[2019, 2020],
    emissions=history * intensity[:, None],  # nan stays nan: no record
    output=history,
    current_output=market["output_2022"].to_numpy(),
    current_emissions=market["output_2022"].to_numpy() * intensity,
)
print(firms)
display(firms.to_frame())

# %% [markdown]
# The benchmarks are published numbers shipped with the library: China's
# national benchmark for coal units of 300 MW and more (2020), and the EU ETS
# benchmarks for grey cement clinker and hot metal (2013-2020), in permits
# per unit of product. The cap is 95 % of what the installations emit in
# 2022, and a permit costs 60.

# %%
benchmarks = {
    "coal_300mw_plus": china_power_benchmarks(2020)["coal_300mw_plus"],
    "grey cement clinker": eu_product_benchmarks("2013-2020")["grey cement clinker"],
    "hot metal": eu_product_benchmarks("2013-2020")["hot metal"],
}
cap = int(0.95 * firms.current_emissions.sum())
PRICE = 60.0
print(benchmarks)
print(f"emissions in 2022: {firms.current_emissions.sum():,.0f} t, cap: {cap:,} permits")

# %% [markdown]
# ## 2. Three rules, one cap
#
# `compare` runs several rules on the same installations and cap. Each rule
# first computes what it would give every installation; if the total exceeds
# the cap, it multiplies everything by one **correction factor** and rounds
# to whole permits so that the total is exactly the cap (the last permits go
# to the largest fractions).
#
# - Grandfathering uses the mean of 2019 and 2020 emissions, scaled up or
#   down to share out exactly the cap.
# - Benchmarking uses the *current* (2022) output as activity level
#   (output-based allocation).
# - Historical intensity uses a reduction factor of 0.98; new entrants,
#   which have no past intensity, take their product's benchmark (times the
#   same reduction factor).

# %%
rules = {
    "grandfathering": {},
    "benchmarking": {"benchmarks": benchmarks, "activity": "current"},
    "historical_intensity": {"reduction_factor": 0.98, "benchmarks": benchmarks},
}
comparison = compare(firms, cap, rules, price=PRICE)
allocations = dict(zip(comparison.labels, comparison.allocations, strict=True))
display(comparison.to_frame())

# %% [markdown]
# Every rule hands out the same total, but not to the same installations.
# Grandfathering gives the three new entrants **nothing**: they have no
# emissions in the base years. Because the incumbents share the whole cap,
# its correction factor is above 1: they receive more permits than they
# emitted in the base years, and more than they emit now.

# %%
for label, a in allocations.items():
    print(f"{label:>21}: correction factor {a.correction_factor:.4f}")

# %% [markdown]
# Totals hide the size of the installations. Permits **per unit of output**
# compare like with like: permits per MWh of electricity, per tonne of
# clinker, per tonne of hot metal.

# %%
per_output = pd.DataFrame(
    {label: permits_per_output(a) for label, a in allocations.items()}, index=firms.id
)
per_output.insert(0, "intensity", intensity)
display(per_output)

# %% [markdown]
# Read the table row by row:
#
# - under **benchmarking** every installation of a sector receives the same
#   permits per unit, old or new, clean or dirty: just under the benchmark
#   (the correction factor is slightly below 1);
# - under **historical intensity** each incumbent receives the same fraction
#   of its own intensity (the reduction factor 0.98 times the correction
#   factor): the dirtiest plant of each sector receives the most per unit;
#   the new entrants are held to their product's benchmark instead;
# - under **grandfathering** the incumbents receive far more than their
#   intensity, and the new entrants nothing.
#
# ## 3. The vintage gap
#
# The **vintage gap** is the incumbents' free permits per unit of output
# minus the new entrants', product by product: it is what being there first
# is worth. `plot_vintage_groups` draws the comparison as pairs of bars (the
# groups pool all three sectors).

# %%
for label, a in allocations.items():
    gap = vintage_gap(a)
    rounded = np.round(gap.gap, 3) + 0.0  # + 0.0 turns -0.0 into 0.0
    per_product = ", ".join(f"{p}: {g:.3f}" for p, g in zip(gap.product, rounded, strict=True))
    print(f"{label:>21}: {per_product}")

# %%
plot_vintage_groups(comparison)
plt.show()

# %% [markdown]
# The new entrants here are cleaner than the incumbents, so part of the gap
# under historical intensity is the incumbents' dirtier technology being
# rewarded. To separate *vintage* from *technology*, give every incumbent an
# exact **twin**: a new entrant with the same product, output and emissions
# but no history. `twin_gap` adds the twins to the market, runs the rule again
# and reports each incumbent's permits per unit of output minus its twin's.

# %%
twins = pd.DataFrame(
    {label: twin_gap(label, firms, cap, **options) for label, options in rules.items()},
    index=firms.id,
).loc[~firms.is_new_entrant]
display(twins.round(3) + 0.0)

# %% [markdown]
# Under benchmarking the twins are treated exactly alike: a gap of zero.
# Under historical intensity the gap is the difference between the
# incumbent's own intensity and the benchmark its twin is held to (both
# times the reduction and correction factors): positive for an incumbent
# dirtier than the benchmark. Under grandfathering the twin receives nothing
# and the gap is the incumbent's whole allocation.
#
# ## 4. What it costs: net compliance cost per unit of output
#
# Once permits have a price, an installation must buy what it emits beyond
# its free permits, or can sell what it does not need. Its **net compliance
# cost** is `price x (emissions - free permits)`; per unit of output it is
# directly a cost of production, which is what competition between old and
# new installations is about.

# %%
net_cost = pd.DataFrame(
    {label: net_cost_per_output(a, PRICE) for label, a in allocations.items()},
    index=firms.id,
)
display(net_cost)

# %%
plot_vintage_groups(
    comparison,
    measure="net_cost_per_output",
    title=f"net compliance cost per unit of output at a price of {PRICE:g}",
)
plt.show()

# %% [markdown]
# - Under **grandfathering** the incumbents' cost is *negative*: they receive
#   more permits than they need and sell the rest, while each new entrant
#   pays the full price of every tonne it emits. A cleaner new plant produces
#   at a higher cost than a dirtier old one.
# - Under **benchmarking** the cost depends only on how clean an
#   installation is compared with the benchmark: the clean new entrants pay
#   the least in each sector, the dirtiest incumbents the most.
# - Under **historical intensity** every incumbent pays for the same small
#   share of its emissions (here about 6 %), however dirty it is, so having
#   cleaned up earlier earns it nothing; the new entrants pay according to
#   how clean they are compared with the benchmark.
#
# ## 5. How unequal: the Lorenz curve and the Gini coefficient
#
# Sort the installations from the fewest free permits per unit of output to
# the most, and plot the share of the free permits held against the share of
# output. If every unit of output received the same permits the curve would
# be the diagonal; the more it sags, the more unequal the allocation. The
# **Gini coefficient** is twice the area between the curve and the
# diagonal: 0 when all are equal, close to 1 when a few hold everything.

# %%
plot_lorenz(comparison)
plt.show()
print(comparison)

# %% [markdown]
# Even benchmarking is not at zero: a tonne of hot metal receives more
# permits than a MWh of electricity, because making it emits more. That
# inequality reflects technology, not vintage. Grandfathering's curve runs
# flat along the bottom for the first third of the output: the new entrants'
# share, which receives nothing.
#
# ## 6. Many random markets
#
# Is this a quirk of our nine installations? Draw many random cement markets:
# eight incumbents and two to four new entrants, every intensity drawn from
# the same range (so new entrants are no cleaner on average), outputs that
# drift between the base years and the allocation year, and a cap of 95 % of
# the year's emissions. Record each rule's vintage gap.

# %%
rng = np.random.default_rng(2)
cement_rules = {
    "grandfathering": {},
    "benchmarking": {"benchmarks": {"clinker": 0.766}, "activity": "current"},
    "historical_intensity": {"reduction_factor": 0.98, "benchmarks": {"clinker": 0.766}},
}


def random_cement_market(rng: np.random.Generator) -> Firms:
    n_old, n_new = 8, int(rng.integers(2, 5))
    n = n_old + n_new
    intensity = rng.uniform(0.70, 0.95, n)
    base = rng.uniform(0.5e6, 1.5e6, (n, 2))
    base[n_old:] = nan  # new entrants: no history
    current = rng.uniform(0.5e6, 1.5e6, n)
    return Firms(
        [f"kiln-{i}" for i in range(n)],
        product="clinker",
        entry_year=[1990] * n_old + [2021] * n_new,
        base_years=[2019, 2020],
        emissions=base * intensity[:, None],
        output=base,
        current_output=current,
        current_emissions=current * intensity,
    )


gaps = {label: [] for label in cement_rules}
for _ in range(MARKETS):
    m = random_cement_market(rng)
    c = compare(m, int(0.95 * m.current_emissions.sum()), cement_rules)
    for label in cement_rules:
        gaps[label].append(c.summary[label]["vintage_gap"])
gaps = pd.DataFrame(gaps)
display(gaps.describe().loc[["mean", "std", "min", "max"]].round(4) + 0.0)

# %%
fig, ax = plt.subplots(figsize=(7, 3))
for row, label in enumerate(cement_rules):  # one row of dots per rule, one dot per market
    jitter = rng.uniform(-0.15, 0.15, len(gaps))
    ax.plot(gaps[label], row + jitter, ".", alpha=0.5)
ax.set_yticks(range(len(cement_rules)), list(cement_rules))
ax.axvline(0.0, color="black", linewidth=0.8)
ax.set_xlabel("vintage gap (free permits per tonne of clinker)")
ax.set_title(f"{len(gaps)} random cement markets")
fig.tight_layout()
plt.show()

# %% [markdown]
# Across markets, benchmarking on current output never opens a gap;
# grandfathering always does, and a large one; historical intensity opens a
# smaller gap whose sign depends on whether the incumbents are dirtier than
# the benchmark (here they usually are: their intensities average 0.825
# against a benchmark of 0.766).
#
# ## Questions
#
# 1. Add a fourth rule to `rules`: `"benchmarking (historical output)":
#    {"rule": "benchmarking", "benchmarks": benchmarks, "activity":
#    "historical"}`. What do the new entrants receive now? Is benchmarking
#    fair to new entrants by itself, or does it depend on the activity level?
# 2. Grandfathering with a new-entrant reserve: run
#    `compare(firms, cap, {"grandfathering": {"reserve_share": 0.2}},
#    price=PRICE)`. How large must the reserve be for the vintage gap to
#    close? What do the incumbents lose?
# 3. In part 4, which installation has the lowest net cost per unit of output
#    under each rule? Which rule rewards the cleanest technology?
# 4. Historical intensity gives `power-1` (0.98 t/MWh) more permits per MWh
#    than `power-2` (0.88 t/MWh). What incentive does that give `power-1`
#    before the base years are chosen? And after?
# 5. Draw the Lorenz curve for the cement kilns alone
#    (`firms.take(np.flatnonzero(firms.sector == "cement"))` with a cap for
#    them). Why is the Gini of benchmarking now zero?
# 6. Which rule would you recommend to a regulator who wants to be fair to
#    new entrants *and* reward clean technology? What would you tell an
#    incumbent who objects?
