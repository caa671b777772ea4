"""Benchmark the site's own guidelines model: training at scale and checking with it.

Usage: ``python benchmarks/guidelines/site_model_bench.py [--decisions 50000] [--checks 3000]``

1. Builds ``--decisions`` labelled decisions (real comments from the shared TRAC-1,
   OLID and Davidson files when present, repeated with small changes up to the count;
   generated sentences otherwise) and records them through the decision store into a
   throwaway database (as ``make eval`` does). The models are written to a temporary folder.
2. Times ``training.train()`` on all of them: the first training (which also computes the
   base engine's scores of every decision) and a retrain (scores already stored). Memory:
   the peak resident size of a training, measured in a child process per training
   (targets: <= 2 min and <= 1 GB on the 2-core machine).
3. Installs the trained model and measures checking with it (one process, thread pools
   of the numeric libraries at 1): throughput of ``check_batch`` in batches of 256
   (target >= 500 comments/s) and the latency of one ``check_comment`` (target p99 <= 20 ms).
Figures are wall clock and CPU time (the machine is shared; CPU time is what a quiet core
would show).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.base")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LABELS = ("acceptable", "abusive", "personal", "spam", "not_sentences")


def corpus(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (text, label) pairs from the shared sets (or generated), shuffled."""
    from masthead.moderation import evaluate

    rng = random.Random(seed)
    rows: list[tuple[str, str]] = []
    for name in ("trac1_agr_en_train.csv", "trac1_agr_en_dev.csv"):
        data = evaluate.read_trac(name) or []
        rows += [(t, "abusive" if lab == "OAG" else "acceptable") for t, lab in data if t.strip()]
    rows += [
        (t, "abusive" if lab == "OFF" else "acceptable") for t, lab in evaluate.read_olid() or []
    ]
    rows += [
        (t, "abusive" if lab in ("0", "1") else "acceptable")
        for t, lab in evaluate.read_davidson() or []
    ]
    if not rows:
        words = "the council budget vote plan road school river market report week city".split()
        rows = [
            (" ".join(rng.choice(words) for _ in range(12)).capitalize() + ".", rng.choice(LABELS))
            for _ in range(5000)
        ]
    out = []
    while len(out) < n:
        text, label = rng.choice(rows)
        if len(out) >= len(rows):  # beyond the real texts: small edits make new decisions
            text = f"{text} {rng.choice(['Really.', 'Indeed.', 'Well.', 'Honestly.'])}"
        out.append((text, label))
    return out


def peak_mb() -> float:
    """Peak resident size of this process, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train_child(db_path: str, models_dir: str) -> None:
    """In a child process: run one training on the benchmark database and print JSON."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    import django

    django.setup()
    from django.test.utils import override_settings

    from masthead.moderation.learning import training

    with override_settings(MASTHEAD_GUIDELINES_MODELS_DIR=models_dir):
        started, cpu = time.monotonic(), time.process_time()
        result = training.train(None, promote_if_better=True, trigger="bench")
        print(
            json.dumps(
                {
                    "seconds": time.monotonic() - started,
                    "cpu": time.process_time() - cpu,
                    "peak_mb": peak_mb(),
                    "status": result.status,
                    "message": result.message,
                    "version": result.version.name if result.version else None,
                    "file": result.version.file_name if result.version else None,
                }
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=50_000)
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        train_child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="masthead-site-model-bench-") as tmp:
        db = Path(tmp) / "bench.sqlite3"
        models_dir = Path(tmp) / "models"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "MASTHEAD_DATA_DIR": tmp}
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        os.environ.update(env)
        import django

        django.setup()
        from django.utils import timezone

        from masthead.moderation.learning.models import LabelledDecision

        data = corpus(args.decisions)
        now = timezone.now()
        LabelledDecision.objects.bulk_create(
            [
                LabelledDecision(
                    text=t,
                    label=lab,
                    source="replay",
                    decided_at=now - timezone.timedelta(minutes=len(data) - i),
                )
                for i, (t, lab) in enumerate(data)
            ],
            batch_size=2000,
        )
        print(
            f"{len(data):,} decisions recorded ({dict(sorted(_count(data).items()))})", flush=True
        )
        results = []
        for label in ("first training (computes base scores)", "retrain (base scores stored)"):
            out = (
                subprocess.run(  # noqa: S603
                    [sys.executable, __file__, "--child", str(db), str(models_dir)],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            r = json.loads(out)
            results.append(r)
            _emit(
                f"site model {label.split(' (')[0]}, {len(data):,} decisions",
                f"{r['cpu']:.0f} s CPU ({r['seconds']:.0f} s wall), {r['peak_mb']:.0f} MB",
                "<= 120 s, <= 1024 MB",
                r["cpu"] <= 120 and r["peak_mb"] <= 1024,
            )
            print(
                f"{label}: {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU, peak {r['peak_mb']:.0f} MB"
                f" -> {r['status']}: {r['message']}",
                flush=True,
            )
        check_speed(models_dir, results[-1]["file"] or results[0]["file"], args.checks, data)
    return 0


def _count(data: list[tuple[str, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _t, lab in data:
        out[lab] = out.get(lab, 0) + 1
    return out


def check_speed(models_dir: Path, file_name: str, n: int, data: list[tuple[str, str]]) -> None:
    """Throughput and single-comment latency of the pipeline with the site model."""
    import joblib

    from masthead.moderation.guidelines import CheckContext, check_batch, check_comment, warm_up
    from masthead.moderation.guidelines.pipeline import DEFAULT_RULES
    from masthead.moderation.guidelines.rules import site_model

    model = joblib.load(models_dir / file_name)
    site_model.install(model, "bench", {"abusive": {"hold": 0.5, "reject": 0.95}})
    rules = site_model.site_rules(DEFAULT_RULES)
    warm_up()
    check_comment("Warm up the site model with a plain sentence.", rules=rules)
    rng = random.Random(3)
    texts = [rng.choice(data)[0] for _ in range(n)]
    ctx = CheckContext()
    wall, cpu = time.monotonic(), time.process_time()
    for i in range(0, n, 256):
        batch = texts[i : i + 256]
        check_batch(batch, [ctx] * len(batch), rules=rules)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    print(
        f"check_batch with the site model: {n / wall:.0f} comments/s wall, {n / cpu:.0f}/s CPU (target >= 500)"
    )
    lat, cpu_lat = [], []
    for t in texts[: min(n, 1000)]:
        s, c = time.perf_counter(), time.process_time()
        check_comment(t, ctx, rules=rules)
        lat.append((time.perf_counter() - s) * 1000)
        cpu_lat.append((time.process_time() - c) * 1000)
    lat.sort()
    cpu_lat.sort()
    p99 = lat[int(len(lat) * 0.99) - 1]
    cpu_p99 = cpu_lat[int(len(cpu_lat) * 0.99) - 1]
    print(
        f"check_comment with the site model: p50 {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms "
        f"wall; CPU p50 {statistics.median(cpu_lat):.1f} ms, p99 {cpu_p99:.1f} ms (target p99 <= 20 ms)"
    )
    _emit(
        "site model check_batch",
        f"{n / cpu:.0f}/s CPU ({n / wall:.0f}/s wall)",
        ">= 500/s",
        n / cpu >= 500,
    )
    _emit(
        "site model check_comment p99",
        f"{cpu_p99:.1f} ms CPU ({p99:.1f} ms wall)",
        "p99 <= 20 ms",
        cpu_p99 <= 20,
    )


def _emit(scenario: str, value: str, target: str, ok: bool) -> None:
    """Add a row to ``make bench``'s table (when run from it)."""
    from benchmarks.harness import Row, emit_row

    emit_row(Row("comments", scenario, value, target=target, verdict="yes" if ok else "no"))


if __name__ == "__main__":
    raise SystemExit(main())
