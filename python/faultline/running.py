"""run and replay, as the CLI's ``faultline run`` and ``faultline replay`` do them."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from . import _faultline
from .result import Result
from .scenario import ScenarioSource, load

PathLike = Union[str, "os.PathLike[str]"]


def duration_text(value: Union[str, int, float, None]) -> Optional[str]:
    """``"10m"`` stays; a number is seconds (``90`` → ``"90s"``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"a duration is a string such as '10m' or a number of seconds, not {value!r}")
    return f"{value!r}s"


def run(
    scenario: ScenarioSource,
    *,
    seed: Optional[int] = None,
    experiment: Optional[str] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    until: Union[str, float, None] = None,
    start_time: Optional[str] = None,
    trace_messages: bool = False,
    out: Optional[PathLike] = None,
) -> Result:
    """Runs a scenario to its end (the GIL is released meanwhile) and returns the result.

    ``overrides`` apply after the scenario's own (:meth:`Scenario.with_overrides`), in the path
    syntax: ``{"components.consumer.count": 8}``. ``out`` also writes the output folder.
    Raises :class:`faultline.InputError` for bad input, with the CLI's message.
    """
    sc = load(scenario)
    native = _faultline.run(
        sc.document,
        experiment if experiment is not None else sc.experiment,
        sc.sets(overrides),
        seed,
        duration_text(until),
        start_time,
        trace_messages,
    )
    result = Result(native)
    if out is not None:
        result.write(out)
    return result


def replay(
    scenario: ScenarioSource,
    records: Union[PathLike, Sequence[PathLike], Mapping[str, str]],
    *,
    seed: Optional[int] = None,
    experiment: Optional[str] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    until: Union[str, float, None] = None,
    start_time: Optional[str] = None,
    maps: Optional[Mapping[str, str]] = None,
    vars: Optional[Mapping[str, str]] = None,
    at: Union[str, float, None] = None,
    window: Union[str, float, None] = None,
    producer: Optional[str] = None,
    k6_iteration: Union[str, float, None] = None,
    k6_bin: Union[str, float, None] = None,
    trace_messages: bool = False,
    out: Optional[PathLike] = None,
) -> Result:
    """Runs a scenario with the faults and the load of recorded chaos runs (``faultline replay``).

    ``records`` are files (Chaos Mesh, LitmusChaos, Chaos Toolkit, k6, Kubernetes events, a fault
    timeline), or a mapping ``{name: text}`` of their contents. ``maps`` maps pods of a record
    to components (``--map POD=PATH``), ``vars`` are Chaos Toolkit configuration values. The
    result's :attr:`Result.import_report` says what was imported and what was not.
    """
    sc = load(scenario)
    files: list[str] = []
    texts: list[tuple[str, str]] = []
    if isinstance(records, Mapping):
        texts = [(str(k), str(v)) for k, v in records.items()]
    elif isinstance(records, (str, os.PathLike)):
        files = [os.fspath(records)]
    else:
        files = [os.fspath(r) for r in records]
    native = _faultline.replay(
        sc.document,
        files,
        texts,
        experiment if experiment is not None else sc.experiment,
        sc.sets(overrides),
        seed,
        duration_text(until),
        start_time,
        dict(maps or {}),
        dict(vars or {}),
        duration_text(at),
        duration_text(window),
        producer,
        duration_text(k6_iteration),
        duration_text(k6_bin),
        trace_messages,
    )
    result = Result(native)
    if out is not None:
        result.write(out)
    return result


class Validation:
    """What ``faultline validate`` reports: every figure against its tolerance."""

    def __init__(self, native: dict[str, Any]) -> None:
        #: report.json as a dict: the loss, each metric's RMSE, peak, time to peak and to drain,
        #: each fault's recovery, with predicted, observed, error, tolerance and outcome.
        self.report: dict[str, Any] = native["report"]
        #: Every checked comparison is within its tolerance (the CLI's exit code 0, else 3).
        self.passed: bool = native["passed"]
        self.checks_passed: int = native["checks_passed"]
        self.checks_failed: int = native["checks_failed"]

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        total = self.checks_passed + self.checks_failed
        return f"<faultline.Validation {'PASS' if self.passed else 'FAIL'}: {self.checks_passed} of {total} checks>"


def validate(
    scenario: ScenarioSource,
    records: Union[PathLike, Sequence[PathLike]],
    observed: Union[PathLike, Sequence[PathLike]],
    *,
    seed: Optional[int] = None,
    experiment: Optional[str] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    start_time: Optional[str] = None,
    until: Union[str, float, None] = None,
    metrics: Optional[Sequence[str]] = None,
    tolerances: Union[Mapping[str, str], Sequence[str], None] = None,
    mapping: Optional[PathLike] = None,
    maps: Optional[Mapping[str, str]] = None,
    out: Optional[PathLike] = None,
) -> Validation:
    """Replays a recorded live run and compares the prediction with the observed traces
    (``faultline validate``). ``tolerances`` are ``{"[METRIC.]FIGURE": "VALUE"}`` or the CLI's
    ``"FIGURE=VALUE"`` strings; ``out`` writes report.md, report.json and the plots, and the
    replay that was judged in ``out/replay/`` (the output folder of ``run --out``), as the CLI does.

    The engine reads the scenario from a file, as the CLI does: a scenario loaded from a string
    or a dict is written to a temporary JSON file first (error messages then name that file).
    """
    import tempfile

    if not hasattr(_faultline, "validate"):
        raise NotImplementedError("this build of faultline has no validate (sim/validate was not compiled in)")
    sc = load(scenario)
    as_list = lambda x: [os.fspath(x)] if isinstance(x, (str, os.PathLike)) else [os.fspath(p) for p in x]  # noqa: E731
    if isinstance(tolerances, Mapping):
        tol = [f"{k}={v}" for k, v in tolerances.items()]
    else:
        tol = list(tolerances or [])

    def call(path: str) -> dict[str, Any]:
        return _faultline.validate(
            path, as_list(records), as_list(observed),
            experiment if experiment is not None else sc.experiment, sc.sets(overrides), seed, start_time,
            duration_text(until), list(metrics or []), tol,
            os.fspath(mapping) if mapping is not None else None, dict(maps or {}),
            os.fspath(out) if out is not None else None,
        )

    if sc.path is not None:
        return Validation(call(sc.path))
    with tempfile.TemporaryDirectory(prefix="faultline-") as tmp:
        path = os.path.join(tmp, (sc.name or "scenario") + ".json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(sc.document.to_json())
        return Validation(call(path))
