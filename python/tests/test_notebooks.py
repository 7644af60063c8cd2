"""The notebooks of python/notebooks/ run from top to bottom, write their figures, and state facts.

Each notebook is executed once (nbclient, a kernel on this very interpreter) in a temporary
folder, with FAULTLINE_NOTEBOOK_OUT pointing into it; it writes its PNG figures and a small JSON of
the facts it computed there. The tests check the figures and hold the facts against the engine
(faultline.run, faultline.validate) and against the README.
"""

from __future__ import annotations

import json
import os
import re
import struct
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import faultline
from conftest import REPO, build_dir

NOTEBOOKS = REPO / "python" / "notebooks"
CELL_TIMEOUT_S = 180
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def kernel_manager(folder: Path) -> KernelManager:
    """A kernel on sys.executable: the python3 kernelspec found on a machine may be another Python."""
    spec = folder / "kernels" / "faultline-python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "faultline", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(spec.parent)])
    return KernelManager(kernel_name="faultline-python3", kernel_spec_manager=specs)


class Executed:
    def __init__(self, name: str, out: Path) -> None:
        self.name = name
        self.out = out
        self.facts = json.loads((out / (Path(name).stem + ".json")).read_text())


@pytest.fixture(scope="module")
def execute(tmp_path_factory):
    """Runs a notebook once per module; later calls return the same result."""
    done: dict[str, Executed] = {}

    def run(name: str) -> Executed:
        if name in done:
            return done[name]
        root = tmp_path_factory.mktemp(Path(name).stem)
        out, work = root / "out", root / "work"
        work.mkdir()
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        sources_before = {p.name: p.read_bytes() for p in NOTEBOOKS.iterdir() if p.is_file()}
        package_parent = str(Path(faultline.__file__).resolve().parents[1])
        with pytest.MonkeyPatch.context() as env:
            env.setenv("FAULTLINE_NOTEBOOK_OUT", str(out))
            env.setenv("FAULTLINE_SOURCE_DIR", str(REPO))
            env.setenv("FAULTLINE_BUILD_DIR", str(build_dir()))
            env.setenv("MPLBACKEND", "Agg")
            env.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel's debugger warns about frozen modules
            env.setenv("PYTHONPATH", os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])))
            client = NotebookClient(nb, km=kernel_manager(root), timeout=CELL_TIMEOUT_S,
                                    resources={"metadata": {"path": str(work)}})
            client.execute()
        # Nothing was written next to the notebooks or in the working folder: only into OUT.
        assert not any(work.iterdir()), list(work.iterdir())
        assert {p.name: p.read_bytes() for p in NOTEBOOKS.iterdir() if p.is_file()} == sources_before
        done[name] = Executed(name, out)
        return done[name]

    return run


def assert_png(path: Path, min_width: int = 400) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width >= min_width and height >= 200, (path, width, height)
    assert len(data) > 10_000, f"{path} is too small ({len(data)} bytes) to hold a plot"


def test_the_notebooks_are_stored_without_outputs():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert {"order_delivery_v1_v2.ipynb", "chaos_at_fire_whatif.ipynb", "validation_plot.ipynb"} <= set(names)
    for name in names:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{name}: a cell has stored outputs"


def test_order_delivery_v1_loses_and_v2_does_not(execute):
    ran = execute("order_delivery_v1_v2.ipynb")
    for figure in ran.facts["figures"]:
        assert_png(ran.out / figure)
    v1, v2 = ran.facts["v1"], ran.facts["v2"]
    # The facts are the engine's: the same scenarios run here give the same counts.
    for version, facts in (("v1", v1), ("v2", v2)):
        r = faultline.run(REPO / "scenarios" / f"order-delivery-{version}.yaml")
        assert facts["fingerprint"] == r.fingerprint
        assert facts["lost_by_cause"] == r.messages["lost_by_cause"]
    assert v1["lost"] > 0 and v1["verdict"] == "fail"
    assert v2["lost"] == 0 and v2["lost_by_cause"] == {} and v2["verdict"] == "pass"
    assert v2["delivered"] == v2["published"] == 60000
    # The same kills in both; v1's loss is publish_failed (18 s × 100/s per kill) plus queue_deleted.
    assert v1["kills"] == v2["kills"] and len(v1["kills"]) >= 5
    assert set(v1["lost_by_cause"]) <= {"publish_failed", "queue_deleted"}
    assert abs(v1["lost_by_cause"]["publish_failed"] - v1["expected_publish_failed"]) <= len(v1["kills"])
    # The plotted curves end at the ledger's counts and rise only inside the kill windows.
    assert v1["series_lost_by_cause_at_end"] == {c: float(n) for c, n in v1["lost_by_cause"].items()}
    assert v1["loss_rises_outside_kill_windows"] == []


def readme_o2_answers() -> dict[str, int]:
    """The README's O2 table row for R = 200 msg/s: delay → fewest consumers with a peak < 1000."""
    text = (REPO / "README.md").read_text()
    header = re.search(r"^\| R \(msg/s\) \|(.*)$", text, re.M)
    row = re.search(r"^\| 200 \|(.*)$", text, re.M)
    assert header and row, "README: the Dimensioning table is gone"
    delays = re.findall(r"(\d+) ms", header.group(1))
    counts = re.findall(r"(\d+)(?: consumers)? \(peak", row.group(1))
    assert len(delays) == len(counts) >= 3
    return {f"{d}ms": int(c) for d, c in zip(delays, counts)}


def test_chaos_at_fire_heat_map_has_the_shapes_and_the_readme_answer(execute):
    ran = execute("chaos_at_fire_whatif.ipynb")
    f = ran.facts
    for figure in f["figures"]:
        assert_png(ran.out / figure)
    delays, counts, peak = f["delays"], f["counts"], f["peak_backlog"]
    assert len(peak) == len(delays) and all(len(row) == len(counts) for row in peak)
    assert f["runs"] == len(delays) * len(counts)
    # More consumers never raise the peak; more delay always does.
    for i, d in enumerate(delays):
        assert all(a >= b for a, b in zip(peak[i], peak[i][1:])), (d, peak[i])
    for j, n in enumerate(counts):
        column = [peak[i][j] for i in range(len(delays))]
        assert all(a < b for a, b in zip(column, column[1:])), (n, column)
    # The README: at 50 ms, 10 consumers peak at 2551 and 11 at 483.
    readme = (REPO / "README.md").read_text()
    m = re.search(r"D = 50 ms, (\d+) consumers peak at (\d+)(?: messages)? and (\d+) at (\d+)", readme)
    assert m, "README: the 50 ms answer sentence is gone"
    at_50 = peak[delays.index("50ms")]
    assert at_50[counts.index(int(m.group(1)))] == int(m.group(2))
    assert at_50[counts.index(int(m.group(3)))] == int(m.group(4))
    # The goal's answer on this grid is the README's, rounded up to the grid (none when above it).
    for delay, answer in readme_o2_answers().items():
        if delay in delays:
            on_grid = [n for n in counts if n >= answer]
            assert f["cheapest"][delay] == (on_grid[0] if on_grid else None), (delay, answer, f["cheapest"])
    # The heat map's axes are the right way round: two cells run on their own.
    for delay, count in (("50ms", 11), ("20ms", 4)):
        r = faultline.run(REPO / "scenarios/chaos-at-fire.yaml", experiment="network-delay-rabbitmq",
                          overrides={"components.feeder.rate": f["rate_per_feeder"], "components.consumer.count": count,
                                     "experiments.network-delay-rabbitmq.faults.delay.params.latency": delay})
        assert peak[delays.index(delay)][counts.index(count)] == r.backlog["peak"], (delay, count)


@pytest.mark.skipif(not hasattr(faultline._faultline, "validate"), reason="this build has no validate (sim/validate)")
def test_validation_plot_rows_are_what_validate_returns(execute, cli):
    import yaml

    # `cli`: the notebook checks its report against `faultline validate` of this build.
    ran = execute("validation_plot.ipynb")
    f = ran.facts
    for figure in f["figures"]:
        assert_png(ran.out / figure)
    record = Path(f["record"])
    assert record == REPO / "validation" / "traces" / f["experiment"] / f["run"]
    overlay = yaml.safe_load(Path(f["overlay"]).read_text())["set"]
    v = faultline.validate(f["scenario"], [record], record / "query_range.json", overrides=overlay, maps=f["maps"],
                           metrics=f["metrics"])
    r = v.report
    assert (f["verdict"], f["passed"], f["checks_passed"], f["checks_failed"]) == (
        r["verdict"], v.passed, v.checks_passed, v.checks_failed)
    expected = [("messages lost", "loss", r["loss"])]
    for m in r["metrics"]:
        expected += [(m["id"], fig, m[fig]) for fig in ("peak", "rmse", "time_to_peak", "time_to_drain")]
    expected += [(", ".join(x["targets"]), "recovery", x) for x in r["recoveries"]]
    assert len(r["metrics"]) == 1 + len(f["metrics"])  # the backlog, always, and the extra metric
    assert len(f["rows"]) == len(expected)
    for row, (metric, figure, c) in zip(f["rows"], expected):
        assert (row["metric"], row["figure"]) == (metric, figure)
        assert {k: row[k] for k in ("predicted", "observed", "error", "tolerance", "result")} == {
            k: c[k] for k in ("predicted", "observed", "error", "tolerance", "result")}, (metric, figure)
    # The CLI (with the overlay file) judged the same replay, and the plotted backlogs are the judged ones.
    assert f["cli_report_equal"] is True
    backlog = next(m for m in r["metrics"] if m["id"] == "backlog")
    judged = {k: backlog[k]["peak"] for k in ("observed", "predicted")}
    assert f["plotted_backlog_peaks"] == judged
    assert (ran.out / f"validation-{f['experiment']}-{f['run']}" / "replay" / "series.csv").exists()
    # The same figures as the generated validation table (validation/README.md, "Per run").
    section = (REPO / "validation/README.md").read_text().split(f"### {f['experiment']}\n", 1)[1].split("\n### ", 1)[0]
    table = re.search(rf"^\| {f['run']} \| ([\d.]+) / ([\d.]+) \|[^|]*\| ([\d.]+) / ([\d.]+) ", section, re.M)
    assert table, f"validation/README.md has no row for {f['experiment']} {f['run']}"
    loss_row, peak_row = f["rows"][0], f["rows"][1]
    assert (loss_row["figure"], peak_row["metric"], peak_row["figure"]) == ("loss", "backlog", "peak")
    shown = [loss_row["predicted"], loss_row["observed"], peak_row["predicted"], peak_row["observed"]]
    assert [round(x) for x in shown] == [round(float(g)) for g in table.groups()], (shown, table.group(0))
