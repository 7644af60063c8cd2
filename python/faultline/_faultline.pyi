"""Type stubs of the C++ module (python/src/). Use the `faultline` package rather than this."""

from typing import Any, Optional

import numpy as np

__version__: str

class Document:
    """A scenario as parsed (JSON or YAML), before defaults and overrides."""

    @property
    def file(self) -> str: ...
    def root(self) -> Any: ...
    def to_json(self) -> str: ...

def load_file(path: str, format: str = "auto") -> Document: ...
def parse_text(text: str, name: str = "<string>", format: str = "auto") -> Document: ...
def from_object(obj: Any, name: str = "<dict>") -> Document: ...
def resolve(
    doc: Document,
    experiment: Optional[str] = None,
    sets: list[str] = ...,
    seed: Optional[int] = None,
    start_time: Optional[str] = None,
) -> dict[str, Any]: ...

class RunResult:
    """A finished run."""

    @property
    def fingerprint(self) -> str: ...
    def summary(self) -> dict[str, Any]: ...
    def timing(self) -> dict[str, Any]: ...
    def resolved(self) -> dict[str, Any]: ...
    def import_report(self) -> Optional[dict[str, Any]]: ...
    def series_data(self) -> dict[str, Any]:
        """time_ns (np.ndarray int64), values (np.ndarray float64, scrapes × series), names,
        labels, families, types (lists), start_epoch_ns (int)."""
    def events(self) -> list[dict[str, Any]]: ...
    def series_csv(self) -> str: ...
    def openmetrics(self) -> str: ...
    def query_range(self) -> str: ...
    def write(self, dir: str) -> None: ...

def run(
    doc: Document,
    experiment: Optional[str] = None,
    sets: list[str] = ...,
    seed: Optional[int] = None,
    until: Optional[str] = None,
    start_time: Optional[str] = None,
    trace_messages: bool = False,
) -> RunResult: ...
def replay(
    doc: Document,
    records: list[str] = ...,
    texts: list[tuple[str, str]] = ...,
    experiment: Optional[str] = None,
    sets: list[str] = ...,
    seed: Optional[int] = None,
    until: Optional[str] = None,
    start_time: Optional[str] = None,
    maps: dict[str, str] = ...,
    vars: dict[str, str] = ...,
    at: Optional[str] = None,
    window: Optional[str] = None,
    producer: Optional[str] = None,
    k6_iteration: Optional[str] = None,
    k6_bin: Optional[str] = None,
    trace_messages: bool = False,
) -> RunResult: ...

class Sweep:
    """A sweep's plan, its finished runs and, with `out`, its journal."""

    def __init__(
        self,
        doc: Document,
        axes: list[tuple[str, Any]],
        seeds: Optional[int] = None,
        experiment: Optional[str] = None,
        base_sets: list[str] = ...,
        until: Optional[str] = None,
        start_time: Optional[str] = None,
        goal: Optional[str] = None,
        cost: list[str] = ...,
        confidence: float = 0.95,
        out: Optional[str] = None,
    ) -> None: ...
    @property
    def runs(self) -> int: ...
    @property
    def settings(self) -> int: ...
    @property
    def seeds_per_setting(self) -> int: ...
    @property
    def document_name(self) -> str: ...
    def pending(self) -> list[int]: ...
    def done_count(self) -> int: ...
    def parameter_columns(self) -> list[str]: ...
    def run_params(self, run: int) -> dict[str, Any]: ...
    def task(self, run: int) -> dict[str, Any]: ...
    def document_json(self) -> str: ...
    def record(self, run: int, record_json: str) -> None: ...
    def run_local(self, jobs: int, progress: bool = False) -> bool: ...
    def finish(self) -> dict[str, Any]: ...

def run_point(
    doc_json: str,
    name: str,
    experiment: Optional[str] = None,
    sets: list[str] = ...,
    seed: Optional[int] = None,
    until: Optional[str] = None,
    start_time: Optional[str] = None,
) -> str: ...
def student_t_critical(confidence: float, df: int) -> float: ...
def validate(
    scenario: str,
    records: list[str],
    observed: list[str],
    experiment: Optional[str] = None,
    sets: list[str] = ...,
    seed: Optional[int] = None,
    start_time: Optional[str] = None,
    until: Optional[str] = None,
    metrics: list[str] = ...,
    tolerances: list[str] = ...,
    mapping: Optional[str] = None,
    maps: dict[str, str] = ...,
    out: Optional[str] = None,
) -> dict[str, Any]:
    """{"report": report.json, "passed": bool, "checks_passed": int, "checks_failed": int}"""
