"""faultline.sweep on local threads: the same rows for any -j, the same files as the CLI, resume."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import faultline
from conftest import run_cli

COUNT = "components.consumer.count"


def test_one_and_two_threads_give_identical_rows(small: Path):
    one = faultline.sweep(small, {COUNT: [1, 2, 3]}, seeds=6, jobs=1)
    two = faultline.sweep(small, {COUNT: "1..3:1"}, seeds=6, jobs=2)
    assert one.runs_csv == two.runs_csv
    pd.testing.assert_frame_equal(one.runs, two.runs)
    pd.testing.assert_frame_equal(one.aggregate, two.aggregate)
    assert len(one.runs) == 18 and len(one.aggregate) == 3
    assert one.parameters == [COUNT, "seed"]
    assert list(one.runs.columns[:4]) == [COUNT, "seed", "fingerprint", "simulated_seconds"]
    assert one.runs["seed"].tolist() == [1, 2, 3, 4, 5, 6] * 3
    assert one.runs["messages.published"].eq(400).all()
    assert one.timing["jobs"] == 1 and two.timing["jobs"] == 2


def test_a_row_is_the_run_of_its_parameters(small: Path):
    s = faultline.sweep(small, {COUNT: [1, 2]}, seeds=2, jobs=2)
    row = s.runs.iloc[3]  # count 2, seed 2
    r = faultline.run(small, seed=2, overrides={COUNT: 2})
    assert (row[COUNT], row["seed"]) == (2, 2)
    assert row["fingerprint"] == r.fingerprint
    assert row["backlog.peak"] == r.backlog["peak"]


def test_python_and_cli_write_the_same_files(cli, small: Path, tmp_path: Path):
    faultline.sweep(small, [f"{COUNT}=1..4:1"], seeds=3, jobs=2, goal="backlog.peak < 30", out=tmp_path / "py")
    run_cli(cli, "sweep", str(small), "--set", f"{COUNT}=1..4:1", "--seeds", "3", "-j", "1",
            "--goal", "backlog.peak < 30", "--out", str(tmp_path / "cli"))
    for name in ("runs.csv", "runs.json", "aggregate.csv", "aggregate.json", "goal.json"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_confidence_interval_is_student_t_over_seeds(small: Path):
    s = faultline.sweep(small, {COUNT: [2]}, seeds=5, jobs=2)
    peaks = s.runs["backlog.peak"].astype(float)
    agg = s.aggregate.iloc[0]
    # 95 % with 4 degrees of freedom: t = 2.776445105 (any t table).
    half = 2.776445105 * peaks.std(ddof=1) / 5**0.5
    assert agg["backlog.peak.mean"] == pytest.approx(peaks.mean())
    assert agg["backlog.peak.ci_low"] == pytest.approx(peaks.mean() - half)
    assert agg["backlog.peak.ci_high"] == pytest.approx(peaks.mean() + half)
    assert faultline._faultline.student_t_critical(0.95, 4) == pytest.approx(2.776445105)


def test_goal_finds_the_fewest_consumers(small: Path):
    # O2 of CHAOS@FIRE: how many consumers keep the peak backlog under B?
    s = faultline.sweep(small, {COUNT: [4, 3, 2, 1]}, seeds=4, jobs=2, goal="backlog.peak < 40")
    peaks = s.runs.groupby(COUNT)["backlog.peak"].max()
    expected = min(c for c, p in peaks.items() if p < 40)  # the smallest count whose worst seed passes
    assert s.cheapest == [{COUNT: expected}]
    assert s.goal["groups"][0]["metrics"]["backlog.peak"]["max"] == peaks[expected]
    # Grouped by another axis: one answer per value of it.
    g = faultline.sweep(small, {"components.producer.rate": ["100/s", "200/s"], COUNT: "1..3:1"}, seeds=2,
                        goal="backlog.peak < 40", cost=COUNT)
    assert [grp["fixed"] for grp in g.goal["groups"]] == [
        {"components.producer.rate": "100/s"}, {"components.producer.rate": "200/s"}]
    assert g.goal["group_axes"] == ["components.producer.rate"]


def test_resume_runs_only_what_is_missing(small: Path, tmp_path: Path):
    out = tmp_path / "s"
    first = faultline.sweep(small, {COUNT: [1, 2]}, seeds=5, jobs=2, out=out)
    journal = (out / "runs.jsonl").read_text().splitlines(keepends=True)
    (out / "runs.jsonl").write_text("".join(journal[:6]))  # as if stopped after 6 runs
    again = faultline.sweep(small, {COUNT: [1, 2]}, seeds=5, jobs=2, out=out)
    assert again.timing["runs_resumed"] == 6 and again.timing["runs_this_session"] == 4
    assert again.runs_csv == first.runs_csv
    with pytest.raises(faultline.InputError, match="this folder holds another sweep") as e:
        faultline.sweep(small, {COUNT: [1, 3]}, seeds=5, out=out)
    assert e.value.pointer == "/axes"


def test_bad_sweeps(small: Path):
    with pytest.raises(faultline.InputError) as e:
        faultline.sweep(small, {COUNT: "1..4"})
    assert e.value.file == "--set" and "expected lo..hi:step" in str(e.value)
    with pytest.raises(faultline.InputError) as e:
        faultline.sweep(small, {"components.consumer.cont": [1, 2]})
    assert e.value.file == "--set components.consumer.cont=1"
    with pytest.raises(faultline.InputError) as e:
        faultline.sweep(small, {COUNT: [1, 2]}, goal="backlog.peek < 3")
    assert e.value.file == "--goal" and 'did you mean "backlog.peak"?' in str(e.value)
    with pytest.raises(faultline.InputError, match="sweeps the seed while --seeds also sets it"):
        faultline.sweep(small, {"seed": [1, 2]}, seeds=3)
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        faultline.sweep(small, {COUNT: [1]}, jobs=0)
    with pytest.raises(ValueError, match="path=v1,v2"):
        faultline.sweep(small, ["components.consumer.count"])


@pytest.mark.parametrize("name", ["order-delivery-v1.yaml", "order-delivery-v2.yaml", "order-delivery-quorum.yaml"])
def test_faulted_scenarios_are_identical_on_one_and_two_threads(repo: Path, name: str):
    # Brokers, pods, outboxes and their fault handling running side by side on two threads share
    # nothing: the rows (fingerprints included) are those of one thread.
    path = repo / "scenarios" / name
    axes = {"components.order-service.rate": ["50/s", "100/s"]}
    one = faultline.sweep(path, axes, seeds=3, jobs=1, until="150s")
    two = faultline.sweep(path, axes, seeds=3, jobs=2, until="150s")
    assert one.runs_csv == two.runs_csv
    assert one.runs["fingerprint"].nunique() == 6
