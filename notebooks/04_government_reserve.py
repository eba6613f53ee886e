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
# # 4. The government reserve
#
# In the primary market the government sits on one side. It keeps permits
# aside, sells them (at a set price, or by auction), buys them back when the
# price collapses, and lets rules move permits in and out of circulation
# automatically. This notebook walks through four pieces:
#
# 1. the reserve as an account of permits and cash;
# 2. a repurchase by reverse auction, with a budget;
# 3. RGGI's containment reserves, which change the supply curve of an auction;
# 4. the EU's Market Stability Reserve, a rule on the number of permits in
#    circulation.

# %%
import matplotlib.pyplot as plt
import numpy as np

from allocation import (
    Firms,
    PriceBand,
    Reserve,
    Scenario,
    intervene,
    msr_intake,
    rggi_auction,
    rggi_prices,
    simulate,
)
from allocation.abatement import LinearMAC
from allocation.stability import msr_rules
from auctions import Bids, Offers, reverse_auction
from auctions.plotting import plot_auction

# %% [markdown]
# ## 1. An account of permits and cash
#
# The reserve starts with 1,000 permits and 5,000 in cash; firms hold 9,000
# permits. Every operation is a line in an append-only ledger, and two
# identities hold after each one: permits are never created or lost, and cash
# equals the opening cash plus sales minus purchases, to the cent.

# %%
reserve = Reserve(permits=1_000, cash=5_000, circulation=9_000)
reserve.sell_fixed_price(Bids(bidder=["steel", "cement"], price=[18.0, 18.0],
                              quantity=[150, 100]), price=18.0, quantity=200,
                         note="fixed-price sale, as in Hubei")
print(reserve)
for record in reserve.ledger:
    print(record.seq, record.kind, record.permits, record.circulation, record.cash_cents / 100)

# %% [markdown]
# Two firms asked for 250 permits at the fixed price but only 200 were on
# offer: they were rationed pro rata.
#
# ## 2. Buying permits back
#
# When the price falls too low, the government may buy permits back. Firms
# submit asks; the government buys the cheapest first, within a budget.

# %%
asks = Offers(price=[6.0, 7.5, 8.0, 9.0, 12.0], quantity=[100, 80, 120, 60, 200],
              seller=["a", "b", "c", "d", "e"])
for pricing in ["uniform", "pay_as_bid", "proportional_share"]:
    r = reverse_auction(asks, budget=2_000.0, pricing=pricing)
    print(f"{pricing:>18}: bought {r.offer_sold.sum():4d} permits, "
          f"spent {r.revenue:8.2f}, paid {r.receipts.round(2).tolist()}")

# %% [markdown]
# The uniform buy-back pays everyone the highest accepted ask, so it buys
# fewer permits with the same money than pay-as-bid. The proportional-share
# mechanism (Singer, 2010) pays each seller a threshold price: no seller can
# gain by asking more than its true cost, and the total never exceeds the
# budget.
#
# ## 3. Containment reserves change the supply curve
#
# RGGI sells a fixed quantity at a reserve price, holds back an
# *emissions-containment reserve* (ECR) if the price would be low, and
# releases a *cost-containment reserve* (CCR) if the price would be high.
# Both are just extra steps in the supply curve, so the ordinary auction
# clears them.

# %%
prices_2021 = rggi_prices(2021)
print(prices_2021)
strong = Bids(bidder=["a", "b", "c"], price=[16.0, 14.0, 10.0], quantity=[600, 450, 300])
out = rggi_auction(strong, 1_000, 2021, ccr_quantity=100, ecr_quantity=100)
print("clearing price", out.result.clearing_price, "CCR sold", out.ccr_sold,
      "ECR withheld", out.ecr_withheld)
plot_auction(out.result, title="RGGI 2021 with containment reserves")
plt.show()

# %% [markdown]
# Demand above the CCR trigger (13.00) exceeds the base supply, so 50 of the
# 100 CCR permits are released, and the price stops at the trigger: the CCR
# is a supply step at that price.
#
# ## 4. The Market Stability Reserve
#
# The EU does not watch prices: it watches the *total number of allowances in
# circulation* (TNAC). Above 833 million, allowances are taken out of the
# next auctions and put into the reserve; below 400 million, 100 million are
# released. From 2024 a band between 833 and 1,096 million takes only the
# excess over 833 million.

# %%
tnac = np.linspace(300e6, 1_400e6, 200).astype(int)
for year in (2018, 2020, 2024):
    plt.plot(tnac / 1e6, [msr_intake(int(t), year) / 1e6 for t in tnac], label=str(year))
plt.xlabel("TNAC (million allowances)")
plt.ylabel("intake into the MSR (million)")
plt.legend()
plt.show()

# %% [markdown]
# The same rules can run inside a multi-year scenario, on the scenario's own
# surplus. `scaled` shrinks the EU's quantities (hundreds of millions) to a
# market of a few hundred permits. One installation receives a generous
# first cap and banks what it does not use; the next year the reserve takes
# part of that bank's worth out of the auction, and gives it back once the
# bank is spent.

# %%
plant = Firms(["a"], product="p", entry_year=2000, base_years=[2024],
              emissions=[[300.0]], output=[[1.0]], current_output=[1.0])
scenario = Scenario(firms=plant, bau=np.array([300.0]), mac=LinearMAC([1.0]),
                    start_year=2026, years=4, cap=(1000, 200, 200, 200),
                    auction_share=0.5, bid_levels=5, msr=msr_rules(2026).scaled(2e-7))
for y in simulate(scenario, rng=0).years:
    print(y.year, "banked", y.banked, "withheld", y.msr_intake, "released", y.msr_release,
          "held", y.msr_held, "offered", y.offered)

# %% [markdown]
# A price band works on prices instead: around a reference price, the
# reserve sells above the band and buys below it, as far as its permits and
# cash allow.

# %%
band = PriceBand(reference=18.0, lower=0.2, upper=0.2)
print("band:", band.floor, "to", band.ceiling)
for price in (12.0, 18.0, 25.0):
    record = intervene(reserve, band, price, tranche=50)
    print(price, "->", "nothing" if record is None else f"{record.kind} of {abs(record.permits)}")
print(reserve)

# %% [markdown]
# ## Questions
#
# 1. In part 2, raise the budget to 3,000. Which pricing buys the most
#    permits? Which one pays seller `a` the most per permit, and why?
# 2. In part 3, lower every bid by 5. What happens to the ECR? Is the
#    clearing price ever below the ECR trigger?
# 3. In part 4, why does the 2024 rule create a kink at 833 million? Sketch
#    what a firm would expect to happen to future supply when the TNAC is
#    1,000 million. In the scenario, scale the rules by 1e-6 instead: why
#    does the reserve now take nothing?
# 4. A price band needs both permits and cash. Starting from the reserve of
#    part 1, how many falls in price can it absorb before it runs out of cash?
