"""faultline.validate: a run validated against its own records gives the CLI's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import faultline
from conftest import REPO, run_cli

if not hasattr(faultline._faultline, "validate"):
    pytest.skip("this build has no validate (sim/validate)", allow_module_level=True)

V1 = REPO / "scenarios/order-delivery-v1.yaml"
SHORT = {"duration": "3m"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A 3-minute v1 run as if it were a live record: its faults, its loss and its series."""
    d = tmp_path_factory.mktemp("record")
    r = faultline.run(V1, overrides=SHORT, out=d / "run")
    m = r.messages
    (d / "run/truth.json").write_text(json.dumps({"messages": {k: m[k] for k in ("published", "delivered", "lost")}}))
    return d / "run"


def test_a_run_agrees_with_itself_as_the_cli_says(cli, recorded: Path, tmp_path: Path):
    records = [recorded / "faults.jsonl", recorded / "truth.json"]
    v = faultline.validate(V1, records, recorded / "query_range.json", overrides=SHORT,
                           start_time="2026-01-01T00:00:00Z", out=tmp_path / "report")
    assert v.passed and v.checks_failed == 0 and v.checks_passed > 0
    # The predicted loss is the record's: the run is its own ground truth.
    assert v.report["loss"]["error"] == 0
    c = run_cli(cli, "validate", str(V1), "--set", 'duration="3m"', "--record", *map(str, records),
                "--observed", str(recorded / "query_range.json"), "--start-time", "2026-01-01T00:00:00Z", "--json")
    assert json.loads(c.stdout) == v.report
    assert (tmp_path / "report/report.json").exists() and (tmp_path / "report/report.md").exists()
    # The replay it judged is kept beside the report, as `validate --out` does: its loss is the
    # report's prediction, and it has the series the report compared.
    replay = json.loads((tmp_path / "report/replay/summary.json").read_text())
    assert replay["messages"]["lost"] == v.report["loss"]["predicted"]
    names = {s["metric"]["__name__"]
             for s in json.loads((tmp_path / "report/replay/query_range.json").read_text())["data"]["result"]}
    assert "rabbitmq_queue_messages_ready" in names


def test_a_scenario_from_a_dict_validates_through_a_temporary_file(recorded: Path):
    import yaml

    as_dict = yaml.safe_load(V1.read_text())
    v = faultline.validate(as_dict, [recorded / "faults.jsonl"], recorded / "query_range.json", overrides=SHORT,
                           start_time="2026-01-01T00:00:00Z")
    assert v.report["metrics"][0]["peak"]["error"] == 0


def test_validate_errors(recorded: Path):
    with pytest.raises(faultline.InputError) as e:
        faultline.validate(V1, [recorded / "faults.jsonl"], recorded / "nope.json", overrides=SHORT,
                           start_time="2026-01-01T00:00:00Z")
    assert "nope.json" in e.value.file
