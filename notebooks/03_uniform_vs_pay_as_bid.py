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
# # 3. Uniform price or pay as bid?
#
# Regulators sell permits in sealed-bid auctions. The EU ETS, RGGI and
# California-Quebec use a **uniform price**: every winner pays the same
# clearing price. A **pay-as-bid** (discriminatory) auction charges each
# winner its own bid. Which raises more money? Which is fairer? This notebook
# answers with three experiments:
#
# 1. the same bids under both formats;
# 2. revenue equivalence: with sensible bidders the two raise the same on
#    average;
# 3. demand reduction: in a uniform-price auction, a bidder who wants many
#    permits can lower the price by asking for fewer.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from auctions import Bids, clear_batch, pay_as_bid, uniform_price
from auctions.bidding import demand_reduction, pay_as_bid_equilibrium, truthful
from auctions.plotting import plot_auction

SMALL = bool(os.environ.get("PERMITS_NOTEBOOK_SMALL"))  # the test suite runs a small version
DRAWS = 500 if SMALL else 20_000

# %% [markdown]
# ## 1. The same bids, two formats
#
# Four firms bid for 1,000 permits with a reserve price of 20.

# %%
bids = Bids(
    bidder=["power", "power", "cement", "steel", "steel"],
    price=[31.0, 26.0, 28.0, 29.5, 24.0],
    quantity=[400, 300, 250, 200, 300],
)
uniform = uniform_price(bids, 1000, reserve_price=20.0)
discriminatory = pay_as_bid(bids, 1000, reserve_price=20.0)
print("clearing price:", uniform.clearing_price)
print("uniform revenue:", uniform.revenue, " pay-as-bid revenue:", discriminatory.revenue)
print(uniform.to_frame().assign(pay_as_bid=discriminatory.payments))

# %%
plot_auction(uniform)
plt.show()

# %% [markdown]
# With the *same* bids pay-as-bid raises more: every winner pays at least the
# clearing price. But bidders are not naive: facing pay-as-bid, they shade
# their bids.
#
# ## 2. Revenue equivalence
#
# Take `n` bidders who each want one permit and value it at a random number
# between 0 and 1, and `k` permits for sale. In a uniform-price auction at the
# highest rejected bid (the (k+1)-th price), bidding one's value is the best
# strategy whatever others do. In pay-as-bid, the equilibrium bid is the
# expected (k)-th highest value of the others, given that it is below one's
# own. Theory says both raise `k (n - k) / (n + 1)` on average.

# %%
n, k = 6, 2
rng = np.random.default_rng(3)
values = rng.random((DRAWS, n))
ones = np.ones((DRAWS, n), dtype=int)
truthful_uniform = clear_batch(truthful(values), ones, k, price_rule="first_rejected", rng=1)
equilibrium_pab = clear_batch(pay_as_bid_equilibrium(values, n, k), ones, k,
                              format="pay_as_bid", rng=1)
for name, result in [("uniform (k+1)-th price", truthful_uniform),
                     ("pay-as-bid equilibrium", equilibrium_pab)]:
    revenue = result.revenue
    print(f"{name:>24}: mean revenue {revenue.mean():.4f} "
          f"+/- {revenue.std(ddof=1) / np.sqrt(DRAWS):.4f}")
print(f"{'theory':>24}: {k * (n - k) / (n + 1):.4f}")

# %%
fig, ax = plt.subplots()
ax.hist(truthful_uniform.revenue, bins=40, alpha=0.6, label="uniform")
ax.hist(equilibrium_pab.revenue, bins=40, alpha=0.6, label="pay-as-bid")
ax.set_xlabel("revenue of one auction")
ax.legend()
plt.show()

# %% [markdown]
# Same mean, different spread: pay-as-bid revenue varies less, because each
# winner's payment depends on its own value only.
#
# ## 3. Demand reduction
#
# Now two firms each want **two** permits, valued at 10 and 8, and two
# permits are sold at the highest rejected bid.

# %%
values2 = np.array([[10.0, 8.0], [10.0, 8.0]])
labels = ["A", "A", "B", "B"]
for name, strategy in [("truthful", truthful(values2)),
                       ("demand reduction", demand_reduction(values2, keep=1))]:
    r = uniform_price(Bids(bidder=labels, price=strategy.ravel(), quantity=[1] * 4), 2,
                      price_rule="first_rejected")
    print(f"{name:>17}: price {r.clearing_price}, awards {r.awarded.tolist()}")

# %% [markdown]
# Bidding for only one permit each, both firms still get one permit but pay
# nothing instead of 8: the uniform-price auction invites demand reduction,
# and the seller's revenue collapses.
#
# ## Questions
#
# 1. In part 1, how much would the steel firm save under pay-as-bid by bidding
#    28 instead of 29.5 for its 200 permits? Would it still win them?
# 2. Change `k` in part 2 to 1 (one permit): which classic auctions are the
#    two formats now? Does revenue equivalence still hold?
# 3. In part 3, what happens with a reserve price of 5? Of 9?
# 4. Why might a regulator prefer the uniform price even though pay-as-bid
#    earns more on the same bids?
