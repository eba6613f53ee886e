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
# # 5. Linking two regional markets
#
# Chongqing and Sichuan run their own permit markets. Chongqing's firms
# abate expensively, Sichuan's cheaply, so permits are dear in Chongqing and
# cheap in Sichuan. If the two markets are linked (seed 003 describes such a
# Sichuan-Chongqing market), Chongqing's firms buy Sichuan's permits and
# Sichuan's firms abate more: the same total cut costs less. This notebook
# measures the gain, and shows what an exchange rate and a quota on
# cross-border flows do to it.

# %%
import matplotlib.pyplot as plt
import numpy as np

from allocation.abatement import LinearMAC
from allocation.linking import Link, Region, linked_equilibrium, two_way

# %% [markdown]
# Each region has two firms emitting 100 tonnes each without a cap, and 70
# permits each: each region must cut 60 tonnes. Marginal costs are `2q` in
# Chongqing and `q` in Sichuan.

# %%
chongqing = Region("chongqing", bau=[100, 100], permits=[70, 70], mac=LinearMAC([2.0, 2.0]))
sichuan = Region("sichuan", bau=[100, 100], permits=[70, 70], mac=LinearMAC([1.0, 1.0]))
linked = linked_equilibrium([chongqing, sichuan], two_way("sichuan", "chongqing"))
for name in linked.regions:
    alone = linked.separate[name]
    print(f"{name:>9}: price alone {alone.price:5.1f}, linked {linked.price[name]:5.1f}, "
          f"net import {linked.net_import[name]:+.1f}")
print("gain from linking:", linked.gain)

# %% [markdown]
# Alone, Chongqing's price is 60 and Sichuan's 30. Linked, one price of 40
# clears both: Chongqing imports 20 permits, and the two regions together
# save 300 in abatement costs.
#
# ## A quota on cross-border flows
#
# Regulators often limit how many permits may cross. With a quota, the prices
# stay apart, and the difference is a rent earned on each permit that
# crosses.

# %%
quotas = np.arange(0, 25, 1)
gains, gaps = [], []
for quota in quotas:
    r = linked_equilibrium([chongqing, sichuan], [Link("sichuan", "chongqing",
                                                         quota=int(quota))])
    gains.append(r.gain)
    gaps.append(r.price["chongqing"] - r.price["sichuan"])
fig, ax = plt.subplots()
ax.plot(quotas, gains, "o-", label="gain from linking")
ax.set_xlabel("quota on permits flowing from Sichuan to Chongqing")
ax.set_ylabel("gain")
ax2 = ax.twinx()
ax2.plot(quotas, gaps, "s--", color="tab:red", label="price gap")
ax2.set_ylabel("Chongqing price minus Sichuan price")
fig.legend(loc="center right")
plt.show()

# %% [markdown]
# ## An exchange rate
#
# If one Sichuan permit counts for less than a Chongqing tonne (a "discount"
# on imported permits), fewer tonnes cross for the same permits, and prices
# converge only up to the rate.

# %%
for rate in (1.0, 0.8, 0.5):
    r = linked_equilibrium([chongqing, sichuan], [Link("sichuan", "chongqing", rate=rate)])
    print(f"rate {rate}: prices {({k: round(v, 2) for k, v in r.price.items()})}, "
          f"gain {r.gain:.1f}")

# %% [markdown]
# ## Questions
#
# 1. Why is the gain from linking largest when the two regions' costs are most
#    different? Try equal slopes in both regions.
# 2. At which quota does the constraint stop binding? Relate it to the
#    unconstrained net import.
# 3. With an exchange rate of 0.5, what is the ratio of the two prices? Explain
#    it from the fact that one Sichuan permit covers half a Chongqing tonne.
# 4. Who earns the quota rent in practice, and why might a regulator want a
#    quota even though it lowers the total gain?
