"""A finished run: the summary as a dict, series as NumPy arrays or pandas DataFrames."""

from __future__ import annotations

import os
from typing import Any, NamedTuple, Optional, Union

import numpy as np

from . import _faultline


class SeriesArrays(NamedTuple):
    """Every series of a run in one block (copied once from the engine, no per-sample calls)."""

    time_s: np.ndarray  # float64 simulated seconds, one per scrape
    time_ns: np.ndarray  # int64 simulated nanoseconds
    values: np.ndarray  # float64, scrapes × series; NaN before a series exists
    names: list[str]  # series identities as in series.csv: name{label="value",...}
    labels: list[dict[str, str]]  # each with "__name__"
    families: list[str]  # metric families (a histogram's buckets, _sum and _count share one)
    types: list[str]  # counter, gauge or histogram
    start_epoch_ns: int  # wall-clock time of simulated t = 0


class Result:
    """A finished run, as ``faultline run`` or ``faultline replay`` leaves it."""

    def __init__(self, native: _faultline.RunResult) -> None:
        self._native = native
        self._summary: Optional[dict[str, Any]] = None
        self._arrays: Optional[SeriesArrays] = None

    @property
    def summary(self) -> dict[str, Any]:
        """summary.json (DESIGN §6): messages, loss by cause, backlog, faults, verdict, fingerprint."""
        if self._summary is None:
            self._summary = self._native.summary()
        return self._summary

    @property
    def fingerprint(self) -> str:
        return self._native.fingerprint

    @property
    def messages(self) -> dict[str, Any]:
        return self.summary["messages"]

    @property
    def backlog(self) -> dict[str, Any]:
        return self.summary["backlog"]

    @property
    def timing(self) -> dict[str, Any]:
        """timing.json: wall seconds, events per second, peak memory."""
        return self._native.timing()

    @property
    def resolved(self) -> dict[str, Any]:
        """scenario.resolved.json."""
        return self._native.resolved()

    @property
    def import_report(self) -> Optional[dict[str, Any]]:
        """For a replay: the files read, the faults and load imported, every unmapped entry."""
        return self._native.import_report()

    def series_arrays(self) -> SeriesArrays:
        if self._arrays is None:
            d = self._native.series_data()
            time_ns = d["time_ns"]
            self._arrays = SeriesArrays(
                time_s=time_ns / 1e9,
                time_ns=time_ns,
                values=d["values"],
                names=list(d["names"]),
                labels=list(d["labels"]),
                families=list(d["families"]),
                types=list(d["types"]),
                start_epoch_ns=int(d["start_epoch_ns"]),
            )
        return self._arrays

    def series(self, metric: Optional[str] = None, *, timestamps: bool = False, **labels: str):
        """The series as a pandas DataFrame: one row per scrape, one column per series.

        ``metric`` keeps the series of that name or family (``rabbitmq_queue_messages_ready``);
        keyword arguments keep those whose labels match (``queue="orders"``). The index is the
        simulated time in seconds (``time_s``), or with ``timestamps=True`` the wall-clock time
        (UTC) from the scenario's ``start_time``.
        """
        import pandas as pd

        a = self.series_arrays()
        keep = [
            i
            for i, lab in enumerate(a.labels)
            if (metric is None or lab["__name__"] == metric or a.families[i] == metric)
            and all(lab.get(k) == v for k, v in labels.items())
        ]
        if len(keep) == len(a.names):
            values, names = a.values, a.names
        else:
            values, names = a.values[:, keep], [a.names[i] for i in keep]
        if timestamps:
            index = pd.DatetimeIndex(pd.to_datetime(a.time_ns + a.start_epoch_ns, unit="ns", utc=True), name="time")
        else:
            index = pd.Index(a.time_s, name="time_s")
        return pd.DataFrame(values, index=index, columns=pd.Index(names, name="series"), copy=False)

    def events(self) -> list[dict[str, Any]]:
        """events.jsonl: faults applied and recovered, restarts, failovers, elections, ..."""
        return self._native.events()

    def events_frame(self):
        import pandas as pd

        return pd.DataFrame(self.events())

    def series_csv(self) -> str:
        return self._native.series_csv()

    def openmetrics(self) -> str:
        return self._native.openmetrics()

    def query_range(self) -> str:
        return self._native.query_range()

    def write(self, out: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the output folder, as ``faultline run --out DIR`` does."""
        self._native.write(os.fspath(out))

    def __repr__(self) -> str:
        s = self.summary
        m = s["messages"]
        return (
            f"<faultline.Result {s['scenario']} seed {s['seed']} fingerprint {s['fingerprint']}: "
            f"published {m['published']}, delivered {m['delivered']}, lost {m['lost']}, "
            f"backlog peak {s['backlog']['peak']}>"
        )
