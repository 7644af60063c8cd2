"""Bad input reaches Python as faultline.InputError with the CLI's message, file, pointer and line."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import faultline
from conftest import REPO, run_cli

BAD = REPO / "tests/fixtures/bad"


def cli_error(cli: Path, *args: str) -> str:
    r = run_cli(cli, *args, check=False)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ")
    return r.stderr[len("error: ") :].rstrip("\n")


@pytest.mark.parametrize("fixture", ["wrong-type.yaml", "syntax-error.yaml", "syntax-error.json", "unknown-kind.yaml"])
def test_bad_files_raise_the_cli_message(cli, fixture: str):
    path = str(BAD / fixture)
    with pytest.raises(faultline.InputError) as e:
        faultline.run(path)
    assert str(e.value) == cli_error(cli, "run", path)
    assert e.value.file == path


def test_the_error_carries_file_pointer_line_and_message():
    path = str(BAD / "wrong-type.yaml")
    with pytest.raises(faultline.InputError) as e:
        faultline.load(path).check()
    err = e.value
    # tests/fixtures/bad/wrong-type.yaml line 12: `prefetch: lots` of the third component.
    assert (err.file, err.pointer, err.line) == (path, "/components/2/prefetch", 12)
    assert err.message == 'expected an integer for "prefetch", got "lots"'
    assert isinstance(err, ValueError)
    # It survives pickling (a Dask worker sends it back) with its attributes.
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.file, back.pointer, back.line, back.message) == (
        str(err), err.file, err.pointer, err.line, err.message)


def test_missing_file(cli):
    with pytest.raises(faultline.InputError) as e:
        faultline.load("/nonexistent/scenario.yaml")
    assert str(e.value) == cli_error(cli, "run", "/nonexistent/scenario.yaml")
    assert e.value.file == "/nonexistent/scenario.yaml"


def test_bad_override_path_names_the_override(cli, small: Path):
    with pytest.raises(faultline.InputError) as e:
        faultline.run(small, overrides={"components.consumer.cont": 3})
    assert str(e.value) == cli_error(cli, "run", str(small), "--set", "components.consumer.cont=3")
    assert e.value.file == "--set components.consumer.cont=3"
    assert 'did you mean "count"?' in e.value.message


def test_bad_override_value_points_into_the_document(cli, small: Path):
    with pytest.raises(faultline.InputError) as e:
        faultline.run(small, overrides={"components.consumer.count": "many"})
    assert str(e.value) == cli_error(cli, "run", str(small), "--set", 'components.consumer.count="many"')
    assert e.value.pointer == "/components/2/count"


def test_errors_in_strings_and_dicts_name_them(small: Path):
    with pytest.raises(faultline.InputError) as e:
        faultline.load("name: x\ncomponents: [\n", name="inline.yaml")
    assert e.value.file == "inline.yaml" and e.value.line > 0
    with pytest.raises(faultline.InputError) as e:
        faultline.run({"name": "x", "components": [{"name": "q", "kind": "queu"}]})
    assert e.value.file == "<dict>"
    assert e.value.pointer == "/components/0/kind"
    assert 'did you mean "queue"?' in str(e.value)


def test_other_bad_arguments(small: Path):
    with pytest.raises(faultline.InputError) as e:
        faultline.run(small, until="soon")
    assert e.value.file == "--until"
    with pytest.raises(faultline.InputError) as e:
        faultline.run(small, experiment="nope")
    assert e.value.pointer == "/experiments"
    with pytest.raises(TypeError, match="override components.consumer.count"):
        faultline.run(small, overrides={"components.consumer.count": float("nan")})
    with pytest.raises(TypeError, match="cannot put a set in a scenario"):
        faultline.run({"name": "x", "components": {1, 2}})
    with pytest.raises(TypeError):
        faultline.load(42)
    with pytest.raises(faultline.InputError) as e:
        faultline.replay(REPO / "scenarios/order-delivery-v1.yaml", ["/nonexistent/record.yaml"])
    assert e.value.file == "/nonexistent/record.yaml"
