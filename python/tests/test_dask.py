"""faultline.sweep(client=...) on a Dask LocalCluster gives the local rows, row for row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import faultline

distributed = pytest.importorskip("distributed", reason="python3-distributed is not installed")

COUNT = "components.consumer.count"


@pytest.fixture(scope="module")
def client():
    # Two worker processes of one thread: the tasks cross a process boundary (pickled), as on a
    # real cluster. The dashboard is off: no port beyond the scheduler's, all on loopback.
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host="127.0.0.1")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_sweep_matches_the_local_one(client, small: Path, tmp_path: Path):
    axes = {COUNT: "1..3:1", "components.producer.rate": ["150/s", "200/s"]}
    local = faultline.sweep(small, axes, seeds=4, jobs=2, goal="backlog.peak < 40", cost=COUNT)
    assert faultline.sweep(small, axes, seeds=4, jobs=1).runs_csv == local.runs_csv
    remote = faultline.sweep(small, axes, seeds=4, client=client, goal="backlog.peak < 40", cost=COUNT,
                             out=tmp_path / "dask", batch=5)
    assert len(remote.runs) == 24
    pd.testing.assert_frame_equal(remote.runs, local.runs)
    pd.testing.assert_frame_equal(remote.aggregate, local.aggregate)
    assert remote.runs_csv == local.runs_csv
    assert remote.goal == local.goal
    assert (tmp_path / "dask/runs.csv").read_text() == local.runs_csv
    # A rerun on the same folder resumes everything from the journal: no task is sent.
    again = faultline.sweep(small, axes, seeds=4, client=client, goal="backlog.peak < 40", cost=COUNT,
                            out=tmp_path / "dask")
    assert again.timing["runs_resumed"] == 24
    assert again.runs_csv == local.runs_csv


def test_bad_settings_fail_before_any_task_is_sent(client):
    with pytest.raises(faultline.InputError) as e:
        faultline.sweep({"name": "x", "components": [{"name": "q", "kind": "queue"}]},
                        {"components.q.capacity": ["lots"]}, client=client)
    assert e.value.file == '--set components.q.capacity="lots"'


def test_an_error_on_a_worker_comes_back_as_an_input_error(client, small: Path):
    # A task whose override is bad (the plan would have refused it): the worker's InputError is
    # pickled back with its attributes.
    doc = faultline.load(small).document.to_json()
    task = {"experiment": None, "sets": ["components.consumer.cont=1"], "seed": 1, "until": None, "start_time": None}
    fut = client.submit(faultline.sweeping._run_points, doc, "mmc-small.yaml", [task], pure=False)
    with pytest.raises(faultline.InputError) as e:
        fut.result()
    assert e.value.file == "--set components.consumer.cont=1"
    assert 'did you mean "count"?' in e.value.message
