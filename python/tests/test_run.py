"""faultline.load / run / replay and their results, against the CLI of the same build."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import faultline
from conftest import REPO, cli_json, run_cli

V1 = REPO / "scenarios/order-delivery-v1.yaml"
LITMUS = [
    REPO / "tests/fixtures/records/litmus/rabbitmq-pod-delete-engine.yaml",
    REPO / "tests/fixtures/records/litmus/k6-orders-100rps.json",
]


def test_path_yaml_json_and_dict_load_the_same_scenario(small: Path):
    text = small.read_text()
    as_dict = yaml.safe_load(text)
    sources = [small, str(small), text, json.dumps(as_dict), as_dict, faultline.load(small)]
    prints = {faultline.run(s, seed=4).fingerprint for s in sources}
    assert len(prints) == 1
    assert faultline.load(text).file == "<string>"
    assert faultline.load(as_dict, name="mine").file == "mine"
    assert faultline.load(small).name == "mmc-small"


def test_run_gives_the_cli_summary(cli, small: Path):
    py = faultline.run(small, seed=3, overrides={"components.consumer.count": 1})
    c = cli_json(cli, "run", str(small), "--seed", "3", "--set", "components.consumer.count=1")
    assert py.summary == c
    assert py.fingerprint == c["fingerprint"]
    # DESIGN §6: the keys scripts rely on.
    for key in ("scenario", "experiment", "seed", "start_time", "fingerprint", "simulated_seconds", "events",
                "messages", "backlog", "faults", "verdict"):
        assert key in py.summary
    m = py.messages
    assert m["published"] == m["delivered"] + m["in_flight"] + m["lost"] == 400


def test_overrides_by_path_change_the_run(small: Path):
    one = faultline.run(small, overrides={"components.consumer.count": 1})
    four = faultline.load(small).with_overrides({"components.consumer.count": 4})
    assert four.overrides == {"components.consumer.count": 4}
    assert four.resolved()["components"][2]["count"] == 4
    # One consumer at ρ = 1.6 builds a backlog of about 150; four at ρ = 0.4 hardly any.
    assert one.backlog["peak"] > 100 > faultline.run(four).backlog["peak"]
    # Run-time overrides apply after the scenario's own.
    assert faultline.run(four, overrides={"components.consumer.count": 1}).fingerprint == one.fingerprint
    # A nested path, a string value, a duration: as `--set` takes them.
    sc = faultline.load(V1, overrides={"components.rabbitmq.queues.orders.type": "quorum", "duration": "2m"})
    resolved = sc.resolved()
    assert resolved["components"][1]["queues"][0]["type"] == "quorum"
    assert resolved["duration"] == "2m"


def test_series_as_arrays_and_frames_match_series_csv(small: Path):
    r = faultline.run(small, seed=2)
    a = r.series_arrays()
    assert a.values.shape == (len(a.time_s), len(a.names))
    assert a.values.dtype == np.float64 and a.time_ns.dtype == np.int64
    assert np.all(np.diff(a.time_ns)[:-1] == 250_000_000)  # scrape_interval: 250ms (the last is the final scrape)
    df = r.series()
    csv = pd.read_csv(pd.io.common.StringIO(r.series_csv()))
    assert list(df.columns) == list(csv.columns[2:])
    np.testing.assert_array_equal(df.index.to_numpy(), csv["time_s"].to_numpy())
    np.testing.assert_array_equal(df.to_numpy(), csv.iloc[:, 2:].to_numpy(dtype=float))
    # The backlog series ends at 0 (everything was consumed) and peaks at the summary's peak.
    backlog = r.series("faultline_backlog_messages")
    assert backlog.shape[1] == 1
    assert backlog.iloc[:, 0].max() <= r.backlog["peak"]
    assert backlog.iloc[-1, 0] == 0
    stamps = r.series("faultline_backlog_messages", timestamps=True)
    assert str(stamps.index[0]) == "2026-01-01 00:00:00+00:00"


def test_series_filter_by_labels():
    r = faultline.run(V1, until="90s")
    ready = r.series("rabbitmq_queue_messages_ready", queue="orders")
    assert ready.shape[1] >= 1
    assert all('queue="orders"' in c for c in ready.columns)
    assert r.series("rabbitmq_queue_messages_ready", queue="nope").shape[1] == 0


def test_write_gives_the_cli_output_folder(cli, small: Path, tmp_path: Path):
    faultline.run(small, seed=5, out=tmp_path / "py")
    run_cli(cli, "run", str(small), "--seed", "5", "--out", str(tmp_path / "cli"))
    names = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == names
    for name in names:
        if name != "timing.json":  # the only output that differs between two runs
            assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_events_of_a_faulted_run():
    r = faultline.run(V1, until="2m")
    events = r.events()
    assert all("t_s" in e and "component" in e and "event" in e for e in events)
    # One fault-applied event per fault the run reached, at the fault's start.
    applied = [e["t_s"] for e in events if e["event"] == "fault-applied"]
    reached = [f["start_s"] for f in r.summary["faults"] if not f.get("not_reached")]
    assert applied == reached and len(applied) >= 1
    assert len(r.events_frame()) == len(events)


def test_replay_gives_the_cli_replay(cli, tmp_path: Path):
    py = faultline.replay(V1, LITMUS)
    c = cli_json(cli, "replay", str(V1), *map(str, LITMUS))
    assert py.summary == c
    report = py.import_report
    assert {f["file"] for f in report["files"]} == {str(p) for p in LITMUS}
    assert report["unmapped"]  # the VU limits of the k6 profile, at least
    # The records' contents in memory replay the same.
    texts = {str(p): p.read_text() for p in LITMUS}
    assert faultline.replay(V1, texts).fingerprint == py.fingerprint
    py.write(tmp_path / "out")
    assert (tmp_path / "out/import_report.json").exists()


def test_runs_release_the_gil():
    # The reference workload (10⁶ messages) runs for a good fraction of a second in C++. If the
    # GIL were held, this thread could not run a single bytecode until it finished.
    done = threading.Event()
    started = threading.Event()
    holder = {}

    def work():
        started.set()
        t0 = time.perf_counter()
        holder["result"] = faultline.run(REPO / "scenarios/mmc-reference.json",
                                         overrides={"components.producer.messages": 1_000_000})
        holder["wall"] = time.perf_counter() - t0
        done.set()

    t = threading.Thread(target=work)
    t.start()
    started.wait()
    beats = []
    while not done.is_set():
        beats.append(time.perf_counter())
        time.sleep(0.001)
    t.join()
    wall = holder["wall"]
    assert wall > 0.05, "the run was too short to tell"  # 10⁶ messages: ~0.2 s here
    gaps = np.diff(beats) if len(beats) > 1 else np.array([wall])
    # The main thread kept beating every few milliseconds while the run went on.
    assert len(beats) > 10
    assert gaps.max() < wall / 2, f"longest pause {gaps.max():.3f} s of a {wall:.3f} s run"
    assert holder["result"].messages["delivered"] == 1_000_000
