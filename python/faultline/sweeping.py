"""Sweeps: a scenario over a grid of parameter values × seeds, on local cores or a Dask cluster.

The plan, the rows, the confidence intervals and the goal's answer come from the same C++ code
as ``faultline sweep``; the rows depend only on the plan, so they are identical for any number
of local threads and on Dask.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from . import _faultline
from .running import PathLike, duration_text
from .scenario import ScenarioSource, load

AxisValues = Union[str, Sequence[Any]]
Axes = Union[Mapping[str, AxisValues], Sequence[Union[str, tuple[str, AxisValues]]], None]


def _frame(table: dict[str, Any]):
    import pandas as pd

    return pd.DataFrame(table["rows"], columns=table["columns"])


class SweepResult:
    """A finished sweep: one row per run, one per setting, the goal's answer, the timing."""

    def __init__(self, tables: dict[str, Any], parameters: list[str]) -> None:
        self._tables = tables
        #: The parameter columns of :attr:`runs`: the axes in the path syntax, then ``seed``.
        self.parameters = parameters
        #: One row per run: its parameters, then the summary metrics by their dotted keys.
        self.runs = _frame(tables["runs"])
        #: One row per setting: its parameters, ``runs``, then ``<metric>.mean``, ``.sd``,
        #: ``.ci_low`` and ``.ci_high`` (Student t over the seeds).
        self.aggregate = _frame(tables["aggregate"])
        #: Per run: its parameters, wall seconds, events, events per second.
        self.timing_table = _frame(tables["timing_table"])
        #: goal.json, or None without a goal.
        self.goal: Optional[dict[str, Any]] = tables["goal"]
        #: timing.json: wall seconds, jobs, runs, runs resumed, runs per second.
        self.timing: dict[str, Any] = tables["timing"]

    @property
    def runs_csv(self) -> str:
        """runs.csv, byte for byte as ``faultline sweep --out`` writes it."""
        return self._tables["runs"]["csv"]

    @property
    def aggregate_csv(self) -> str:
        return self._tables["aggregate"]["csv"]

    @property
    def cheapest(self) -> Optional[list[Optional[dict[str, Any]]]]:
        """Per group of the non-cost axes, the cheapest setting meeting the goal (or None)."""
        if self.goal is None:
            return None
        return [g["cheapest"] for g in self.goal["groups"]]

    def __repr__(self) -> str:
        return f"<faultline.SweepResult {len(self.runs)} runs, {len(self.aggregate)} settings>"


def _axes(axes: Axes) -> list[tuple[str, AxisValues]]:
    if axes is None:
        return []
    items: list[tuple[str, AxisValues]] = []
    if isinstance(axes, Mapping):
        entries = list(axes.items())
    else:
        entries = []
        for a in axes:
            if isinstance(a, str):  # "path=v1,v2" or "path=lo..hi:step", as on the command line
                path, eq, values = a.partition("=")
                if not eq:
                    raise ValueError(f"an axis string is path=v1,v2,... or path=lo..hi:step, got {a!r}")
                entries.append((path.strip(), values))
            else:
                path, values = a
                entries.append((path, values))
    for path, values in entries:
        if not isinstance(values, str):
            values = list(values)
        items.append((path, values))
    return items


def _run_points(doc_json: str, name: str, tasks: list[dict[str, Any]]) -> list[str]:
    """A Dask task: runs a few points of a sweep on a worker."""
    from faultline import _faultline as native  # imported on the worker

    return [native.run_point(doc_json, name, **t) for t in tasks]


def _run_on_dask(native: _faultline.Sweep, client: Any, batch: Optional[int]) -> None:
    from distributed import as_completed

    pending = native.pending()
    if not pending:
        return
    threads = sum(client.nthreads().values()) or 1
    if batch is None:  # a few tasks per worker thread: enough to balance, few enough to be cheap
        batch = max(1, min(50, -(-len(pending) // (4 * threads))))
    if batch < 1:
        raise ValueError("batch must be at least 1")
    doc = client.scatter(native.document_json(), broadcast=True)
    name = native.document_name
    futures = {}
    for i in range(0, len(pending), batch):
        chunk = pending[i : i + batch]
        fut = client.submit(_run_points, doc, name, [native.task(r) for r in chunk], pure=False)
        futures[fut] = chunk
    try:
        for fut in as_completed(list(futures)):
            for run, record in zip(futures[fut], fut.result()):
                native.record(run, record)  # journalled at once with `out`
    except BaseException:
        client.cancel(list(futures))
        raise


def sweep(
    scenario: ScenarioSource,
    axes: Axes = None,
    *,
    seeds: Optional[int] = None,
    jobs: Optional[int] = None,
    goal: Optional[str] = None,
    cost: Union[str, Sequence[str], None] = None,
    confidence: float = 0.95,
    experiment: Optional[str] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    until: Union[str, float, None] = None,
    start_time: Optional[str] = None,
    out: Optional[PathLike] = None,
    client: Any = None,
    progress: Optional[bool] = None,
    batch: Optional[int] = None,
) -> SweepResult:
    """Runs ``scenario`` over the grid of ``axes`` × ``seeds`` and tabulates the runs.

    ``axes`` maps parameter paths to values: a list (``[1, 2, 4]``, ``["classic", "quorum"]``)
    or a string as on the command line (``"1..8:1"``, ``"10ms..50ms:10ms"``, ``"a,b"``). The
    first axis varies slowest. ``seeds=K`` runs every setting with seeds 1..K (default: once
    with the scenario's seed). ``goal`` (``"backlog.peak < 1000"``) finds the cheapest setting
    that meets it in every seed; ``cost`` names the axes that cost something (default: all).
    ``out`` writes the output folder of ``faultline sweep --out`` and journals the runs there,
    so an interrupted sweep resumes. Runs go to ``jobs`` local threads (default: the number of
    cores), or to a Dask cluster with ``client=`` (a ``distributed.Client``), ``batch`` runs
    per task.
    """
    sc = load(scenario)
    if isinstance(cost, str):
        cost = [cost]
    native = _faultline.Sweep(
        sc.document,
        _axes(axes),
        seeds,
        experiment if experiment is not None else sc.experiment,
        sc.sets(overrides),
        duration_text(until),
        start_time,
        goal,
        list(cost or []),
        confidence,
        os.fspath(out) if out is not None else None,
    )
    if client is None:
        if jobs is not None and jobs < 1:
            raise ValueError("jobs must be at least 1")
        if progress is None:
            progress = sys.stderr.isatty()
        native.run_local(jobs or os.cpu_count() or 1, bool(progress))
    else:
        _run_on_dask(native, client, batch)
    return SweepResult(native.finish(), native.parameter_columns())
