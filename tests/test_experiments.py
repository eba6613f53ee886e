"""Sweeps: results do not depend on how many workers ran them."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from auctions.experiments import auction_revenue, run_experiment

GRID: dict[str, Any] = {
    "n_bidders": [3, 6], "units": [1, 2], "format": ["uniform_price", "pay_as_bid"]
}


def serial() -> Any:
    return run_experiment(auction_revenue, GRID, replications=2, seed=42, as_frame=False)


def test_rows_follow_the_grid_and_replications():
    rows = serial()
    assert len(rows) == 2 * 2 * 2 * 2
    assert [(r["n_bidders"], r["units"], r["format"], r["replication"]) for r in rows[:3]] == [
        (3, 1, "uniform_price", 0), (3, 1, "uniform_price", 1), (3, 1, "pay_as_bid", 0)]
    # Different tasks get different random streams.
    assert len({r["revenue"] for r in rows}) == len(rows)


def test_same_seed_same_results_and_a_process_pool_agrees():
    rows = serial()
    assert rows == serial()
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert run_experiment(auction_revenue, GRID, replications=2, seed=42, executor=pool,
                              chunksize=3, as_frame=False) == rows


def test_a_local_dask_cluster_agrees_with_the_serial_run():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        rows = run_experiment(auction_revenue, GRID, replications=2, seed=42,
                              executor=client.get_executor(), as_frame=False)
    assert rows == serial()


def test_revenue_equivalence_across_the_sweep():
    frame = run_experiment(auction_revenue, {"n_bidders": [5], "units": [2],
                                             "format": ["uniform_price", "pay_as_bid"]},
                           seed=7, as_frame=True)
    expected = 2 * (5 - 2) / (5 + 1)
    for _, row in frame.iterrows():
        assert abs(row["revenue"] - expected) < 3 * row["se"]


def test_bad_sweeps():
    with pytest.raises(ValueError, match=r"replications must be >= 1 \(got 0\)"):
        run_experiment(auction_revenue, GRID, replications=0)
    with pytest.raises(TypeError, match=r"grid\['units'\] must be a sequence of values"):
        run_experiment(auction_revenue, {"units": 3})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="task must be callable"):
        run_experiment("auction", GRID)  # type: ignore[arg-type]
