"""Test and benchmark runs remove what they create in the system temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_a_test_process_removes_its_data_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MASTHEAD_DATA_DIR"}
    env["TMPDIR"] = str(tmp_path)  # where tempfile.mkdtemp creates it
    code = (
        "import os; import masthead.settings.test as s; "
        "from pathlib import Path; p = Path(os.environ['MASTHEAD_DATA_DIR']); "
        "(p / 'cache').mkdir(exist_ok=True); (p / 'cache' / 'x').write_text('x'); print(p)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    made = Path(out.stdout.strip().splitlines()[-1])
    assert made.parent == tmp_path and made.name.startswith("masthead-test-")
    assert not made.exists()
    assert not list(tmp_path.glob("masthead-test-*"))


def test_a_given_data_folder_is_left_alone(tmp_path: Path) -> None:
    given = tmp_path / "mine"
    given.mkdir()
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(given)}
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import masthead.settings.test"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    assert given.is_dir()


def test_the_bench_says_what_is_missing_without_the_corpus(monkeypatch, tmp_path) -> None:
    from benchmarks import web

    monkeypatch.setenv("MASTHEAD_SHARED_DATA", str(tmp_path / "nowhere"))
    message = web.corpus_missing(14)
    assert "14" in message and str(tmp_path / "nowhere") in message and "missing" in message
    assert "MASTHEAD_SHARED_DATA" in message
    assert web.corpus_missing(web.COLD_MIN_STORIES) == ""
    # the numbers agree with what the first-pass script needs for both groups
    paths = [f"/s{i}/" for i in range(web.COLD_MIN_STORIES - 4)]
    split = len(paths) * 9 // 10
    web.first_pass_script(paths[:split])
    web.first_pass_script(paths[split:])


def test_the_import_bench_and_make_bench_remove_their_temp_files() -> None:
    bench = (ROOT / "benchmarks/migration/import_bench.py").read_text()
    assert "atexit.register(shutil.rmtree, workdir" in bench
    run_all = (ROOT / "benchmarks/run_all.py").read_text()
    assert "atexit.register(rows_file.unlink" in run_all
