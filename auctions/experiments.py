"""Monte Carlo experiments: a task run over a parameter grid and replications.

Each task gets its own random generator, seeded from its index in the sweep
(``SeedSequence(seed)``'s ``i``-th child), so results do not depend on how
many workers ran the sweep, nor in which order. Runs are serial by default;
any :class:`concurrent.futures.Executor` runs them in parallel (a
``ProcessPoolExecutor``, or a Dask cluster through
``dask.distributed.Client(...).get_executor()``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from auctions._validate import check_nonnegative_int
from auctions.batch import clear_batch
from auctions.bidding import pay_as_bid_equilibrium, truthful

__all__ = ["auction_revenue", "run_experiment"]

Task = Callable[..., Mapping[str, Any] | float]
_Spec = tuple[Task, dict[str, Any], int, Any, tuple[int, ...], int]


def _run(spec: _Spec) -> dict[str, Any]:
    """Run one task of a sweep (module level so that process pools can pickle it)."""
    task, params, replication, entropy, spawn_key, pool_size = spec
    seed = np.random.SeedSequence(entropy, spawn_key=spawn_key, pool_size=pool_size)
    out = task(rng=np.random.default_rng(seed), **params)
    values = dict(out) if isinstance(out, Mapping) else {"value": out}
    return {**params, "replication": replication, **values}


def _specs(
    task: Task, grid: Mapping[str, Sequence[Any]], replications: int, root: np.random.SeedSequence
) -> Iterator[_Spec]:
    names = list(grid)
    points = itertools.product(*(grid[name] for name in names))
    for i, (point, rep) in enumerate(itertools.product(points, range(replications))):
        key = (*root.spawn_key, root.n_children_spawned + i)
        yield task, dict(zip(names, point, strict=True)), rep, root.entropy, key, root.pool_size


def run_experiment(
    task: Task,
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    replications: int = 1,
    seed: int | np.random.SeedSequence | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    chunksize: int = 1,
    as_frame: bool | None = None,
) -> Any:
    """Run ``task`` at every point of ``grid``, ``replications`` times each.

    Parameters
    ----------
    task : callable
        Called as ``task(rng=generator, **point)``; returns a mapping of
        results (or one number, reported as ``value``). For process pools and
        clusters it must be importable (defined at module level).
    grid : mapping of str to sequence, optional
        Parameter values; the sweep is their Cartesian product.
    replications : int, default 1
        Runs per grid point.
    seed : int or SeedSequence, optional
        The root seed; task ``i`` (grid points in order, replications inner)
        is seeded by its ``i``-th child.
    executor : concurrent.futures.Executor, optional
        Where to run; serial when omitted.
    progress : bool, default False
        Show a progress bar (needs the ``progress`` extra, tqdm).
    chunksize : int, default 1
        Tasks sent to a worker at a time (``Executor.map``).
    as_frame : bool, optional
        Return a pandas DataFrame (default when pandas is installed) or a
        list of dicts.

    Returns
    -------
    pandas.DataFrame or list of dict
        One row per task: the grid point, ``replication``, and the results.

    Examples
    --------
    >>> rows = run_experiment(auction_revenue, {"n_bidders": [3, 5], "units": [1]},
    ...                       replications=2, seed=1, as_frame=False)
    >>> [(r["n_bidders"], r["replication"]) for r in rows]
    [(3, 0), (3, 1), (5, 0), (5, 1)]
    """
    reps = check_nonnegative_int("replications", replications, minimum=1)
    chunk = check_nonnegative_int("chunksize", chunksize, minimum=1)
    points = dict(grid or {})
    for name, values in points.items():
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise TypeError(f"grid[{name!r}] must be a sequence of values (got {values!r})")
        points[name] = list(values)
    if not callable(task):
        raise TypeError(f"task must be callable (got {task!r})")
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    specs = list(_specs(task, points, reps, root))
    total = reps * int(np.prod([len(v) for v in points.values()], dtype=np.int64))
    rows: Iterable[dict[str, Any]] = (
        map(_run, specs) if executor is None else executor.map(_run, specs, chunksize=chunk)
    )
    if progress:
        try:
            from tqdm.auto import tqdm
        except ImportError as err:
            raise ImportError("progress=True needs tqdm: pip install 'permits[progress]'") from err
        rows = tqdm(rows, total=total)
    results = list(rows)
    return _table(results, as_frame)


def _table(rows: list[dict[str, Any]], as_frame: bool | None) -> Any:
    if as_frame is False:
        return rows
    try:
        import pandas as pd
    except ImportError as err:
        if as_frame:
            raise ImportError("as_frame=True needs pandas: pip install 'permits[pandas]'") from err
        return rows
    return pd.DataFrame(rows)


def auction_revenue(
    rng: np.random.Generator,
    *,
    n_bidders: int,
    units: int,
    format: str = "uniform_price",
    auctions: int = 200,
) -> dict[str, float]:
    """A ready-made task: mean revenue of ``auctions`` unit-demand auctions, values U[0, 1].

    Uniform-price auctions use the truthful (k+1)-th price; pay-as-bid uses
    the symmetric equilibrium bids, so the two should agree on average
    (revenue equivalence): ``k (n - k) / (n + 1)``.
    """
    values = rng.random((auctions, n_bidders))
    if format == "pay_as_bid":
        bids, options = pay_as_bid_equilibrium(values, n_bidders, units), {}
    else:
        bids, options = truthful(values), {"price_rule": "first_rejected"}
    result = clear_batch(bids, np.ones_like(values, dtype=np.int64), units, format=format,
                         rng=rng.bit_generator.seed_seq, **options)  # type: ignore[arg-type]
    revenue = result.revenue
    return {"revenue": float(revenue.mean()), "se": float(revenue.std(ddof=1) /
                                                          np.sqrt(auctions))}
