"""Scenarios from a path, a YAML or JSON string, or a dict, with overrides in the path syntax."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Optional, Union

from . import _faultline

ScenarioSource = Union["Scenario", str, "os.PathLike[str]", Mapping[str, Any]]


def override_sets(overrides: Optional[Mapping[str, Any]]) -> list[str]:
    """``{"components.consumer.count": 8}`` → ``["components.consumer.count=8"]``.

    Values travel as JSON, which the engine reads as YAML flow values, exactly as ``--set``.
    """
    if not overrides:
        return []
    sets = []
    for path, value in overrides.items():
        if not isinstance(path, str) or not path:
            raise TypeError(f"override paths are strings such as 'components.consumer.count', got {path!r}")
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise TypeError(f"override {path}: {e}") from None
        sets.append(f"{path}={text}")
    return sets


class Scenario:
    """A scenario as parsed, plus the overrides and the experiment to apply when it runs.

    Scenarios are immutable: :meth:`with_overrides` and :meth:`with_experiment` return new ones.
    """

    def __init__(
        self,
        document: _faultline.Document,
        *,
        path: Optional[str] = None,
        overrides: Optional[Mapping[str, Any]] = None,
        experiment: Optional[str] = None,
    ) -> None:
        self._document = document
        self._path = path
        self._overrides: dict[str, Any] = dict(overrides or {})
        self._experiment = experiment
        override_sets(self._overrides)  # type-check the values now
        self._resolved = None

    # ---- construction
    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"], *, format: str = "auto") -> "Scenario":
        p = os.fspath(path)
        return cls(_faultline.load_file(p, format), path=p)

    @classmethod
    def from_string(cls, text: str, *, name: str = "<string>", format: str = "auto") -> "Scenario":
        return cls(_faultline.parse_text(text, name, format))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str = "<dict>") -> "Scenario":
        return cls(_faultline.from_object(dict(data), name))

    # ---- what it is
    @property
    def document(self) -> _faultline.Document:
        return self._document

    @property
    def file(self) -> str:
        """The file, or the name standing for a string or dict in error messages."""
        return self._document.file

    @property
    def path(self) -> Optional[str]:
        """The file the scenario was read from, or None."""
        return self._path

    @property
    def name(self) -> str:
        root = self._document.root()
        return root.get("name", "") if isinstance(root, dict) else ""

    @property
    def overrides(self) -> dict[str, Any]:
        return dict(self._overrides)

    @property
    def experiment(self) -> Optional[str]:
        return self._experiment

    def to_dict(self) -> Any:
        """The parsed content, before defaults and overrides."""
        return self._document.root()

    def sets(self, overrides: Optional[Mapping[str, Any]] = None) -> list[str]:
        """The ``path=value`` overrides a run applies: the scenario's, then ``overrides``."""
        return override_sets(self._overrides) + override_sets(overrides)

    # ---- derived scenarios
    def with_overrides(self, overrides: Optional[Mapping[str, Any]] = None, **more: Any) -> "Scenario":
        merged = dict(self._overrides)
        merged.update(overrides or {})
        merged.update(more)
        return Scenario(self._document, path=self._path, overrides=merged, experiment=self._experiment)

    def with_experiment(self, experiment: Optional[str]) -> "Scenario":
        return Scenario(self._document, path=self._path, overrides=self._overrides, experiment=experiment)

    # ---- resolution
    def check(self, *, seed: Optional[int] = None) -> dict[str, Any]:
        """Resolves the scenario as ``faultline check`` does; raises InputError when it is bad.

        Returns ``{"resolved": scenario.resolved.json, "experiments": [...], "instances": [...]}``.
        """
        return _faultline.resolve(self._document, self._experiment, self.sets(), seed, None)

    def resolved(self, *, seed: Optional[int] = None) -> dict[str, Any]:
        """scenario.resolved.json: after defaults, counts, overrides and the experiment."""
        return self.check(seed=seed)["resolved"]

    @property
    def experiments(self) -> list[str]:
        return self.check()["experiments"]

    def __repr__(self) -> str:
        extra = f", overrides={self._overrides!r}" if self._overrides else ""
        extra += f", experiment={self._experiment!r}" if self._experiment else ""
        return f"Scenario({self.name!r} from {self.file!r}{extra})"


def _looks_like_text(s: str) -> bool:
    stripped = s.lstrip()
    return "\n" in s or stripped.startswith(("{", "[", "---")) or (":" in s and not os.path.exists(s))


def load(
    source: ScenarioSource,
    *,
    overrides: Optional[Mapping[str, Any]] = None,
    experiment: Optional[str] = None,
    name: Optional[str] = None,
    format: str = "auto",
) -> Scenario:
    """A scenario from a path, a YAML or JSON string, a dict, or another Scenario.

    A string is read as text when it holds a line break, starts like JSON or YAML (``{``, ``[``,
    ``---``) or holds a ``:`` without naming a file; otherwise it is a path. ``name`` stands for
    a string or dict in error messages. ``overrides`` use the parameter path syntax:
    ``{"components.rabbitmq.queues.orders.type": "quorum"}``.
    """
    if isinstance(source, Scenario):
        sc = source
    elif isinstance(source, Mapping):
        sc = Scenario.from_dict(source, name=name or "<dict>")
    elif isinstance(source, os.PathLike):
        sc = Scenario.from_file(source, format=format)
    elif isinstance(source, str):
        if _looks_like_text(source):
            sc = Scenario.from_string(source, name=name or "<string>", format=format)
        else:
            sc = Scenario.from_file(source, format=format)
    else:
        raise TypeError(f"a scenario is a path, a YAML/JSON string, a dict or a Scenario, not {type(source).__name__}")
    if overrides:
        sc = sc.with_overrides(overrides)
    if experiment is not None:
        sc = sc.with_experiment(experiment)
    return sc
