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
# # 1. Two firms trade permits (the Coase model)
#
# Two firms must each cut their emissions by the same amount, `Q0` tonnes.
# Firm A's abatement is expensive (its marginal cost rises steeply), firm
# B's is cheap. If they may trade permits, B abates more than it must and
# sells the permits it does not need to A, until the last tonne costs both of
# them the same. Both gain, and the same total cut is achieved at lower cost.
#
# This is the model of the first seed paper (section 2.2). We compute it in
# closed form, check it against the general market equilibrium, and draw it.

# %%
import matplotlib.pyplot as plt
import numpy as np

from allocation.abatement import LinearMAC
from allocation.market import equilibrium, two_firm_model

# %% [markdown]
# Marginal abatement costs are linear: `MC_A(q) = 4 q`, `MC_B(q) = 1 q`, and
# each firm must cut `Q0 = 10` tonnes.

# %%
c_a, c_b, q0 = 4.0, 1.0, 10.0
trade = two_firm_model(c_a, c_b, q0)
print(f"price {trade.price:.2f}, A buys {trade.traded:.2f} permits from B")
print(f"A abates {trade.abatement_a:.2f}, B abates {trade.abatement_b:.2f}")
print(f"savings: A {trade.saving_a:.2f}, B {trade.saving_b:.2f}, total {trade.total_saving:.2f}")

# %% [markdown]
# The closed form: the price is `2 c_A c_B Q0 / (c_A + c_B) = 16`, A buys
# `Q0 (c_A - c_B) / (c_A + c_B) = 6` permits, and the total saving is
# `(c_A + c_B) q^2 / 2 = 90`. (The seed's equation (4) reads the slopes as
# heights and would give 9; see the docstring of `two_firm_model`.)
#
# The same answer comes from the general competitive equilibrium: give each
# firm emissions of 100 and 90 permits, and let the market clear.

# %%
market = equilibrium(bau=[100.0, 100.0], permits=[90, 90], mac=LinearMAC([c_a, c_b]))
print("price", market.price, "abatement", market.abatement.tolist(),
      "net trade", market.net_trade.tolist())
print("total saving against no trading:", market.total_saving)

# %% [markdown]
# ## The picture
#
# The two marginal cost curves, drawn against the tonnes each firm abates.
# Without trading both abate `Q0`; with trading they meet at the price.

# %%
q = np.linspace(0, 2 * q0, 100)
fig, ax = plt.subplots()
ax.plot(q, c_a * q, label="firm A: MC = 4q")
ax.plot(q, c_b * q, label="firm B: MC = q")
ax.axvline(q0, color="grey", linestyle=":", label="required cut Q0")
ax.axhline(trade.price, color="black", linestyle="--", label=f"permit price {trade.price:.0f}")
ax.plot([trade.abatement_a, trade.abatement_b], [trade.price, trade.price], "ko")
ax.set_xlabel("tonnes abated")
ax.set_ylabel("marginal abatement cost")
ax.legend()
plt.show()

# %% [markdown]
# ## Who holds the permits does not matter for the outcome
#
# Coase's point, and Montgomery's theorem: however the permits are first
# handed out, the market ends at the same price and the same abatement. Only
# who pays whom changes.

# %%
for permits in ([90, 90], [180, 0], [0, 180], [120, 60]):
    r = equilibrium(bau=[100.0, 100.0], permits=permits, mac=LinearMAC([c_a, c_b]))
    print(f"permits {permits}: price {r.price:.1f}, abatement {r.abatement.round(2).tolist()}, "
          f"costs {r.cost.round(1).tolist()}")

# %% [markdown]
# ## Questions
#
# 1. Double firm A's slope. How do the price, the trade and the saving change?
#    Check your answer against the formulas.
# 2. If both firms had the same marginal cost curve, would they trade? What
#    would the saving be?
# 3. In the last table, which initial allocation makes firm A best off? Why
#    does the total cost of the two firms not depend on it?
# 4. The seed paper says trading "reduces the cost of social pollution
#    control". Which of the printed numbers measures that, and which are
#    private gains?
