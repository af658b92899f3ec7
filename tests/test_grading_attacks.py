"""The attack suite (make slow-test): every attack of issue 45 as a real notebook-01 submission,
graded in one batch beside honest students, each notebook in its sandbox.

1. the honest students are graded alone;
2. then the honest students and the attacks together, in the same OUT (a regrade: the
   reference answers are there to be stolen or spoiled);
3. then the honest students alone again, in that OUT.

The honest students' rows must be the same bytes all three times, no attack may earn a
"correct", no file outside the runs' sandboxes may change, and nothing an attack started may
be left running."""

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from grading.__main__ import main as grade
from tests.grading_class import (
    CHECKS,
    FORGED_RECORD_REFUSED,
    HONEST,
    REPO,
    attacks,
    csv_lines_of,
    needs_sandbox,
    read_rows,
    write_class,
)

TIME_LIMIT = 15  # seconds of CPU per notebook; notebook 01 uses about 5
pytestmark = [pytest.mark.slow, needs_sandbox]
LINKED = "links-to-all-correct"
WATCHED = ("grading", "helpers", "tools", "notebooks", "student", "tests", "Makefile")


def snapshot(*roots: Path) -> dict[str, str]:
    """{path: sha256} of every file under `roots` (bytecode caches aside)."""
    found = {}
    for root in roots:
        paths = [root] if root.is_file() else root.rglob("*")
        for path in paths:
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def processes_with(marker: str) -> list:
    import psutil

    return [p for p in psutil.process_iter(["cmdline"]) if marker in (p.info["cmdline"] or [])]


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    saved = os.environ.get("GRADING_STATE_DIR")
    os.environ["GRADING_STATE_DIR"] = str(root / "state")
    out, marker = root / "out", f"spoiler-{os.getpid()}-{time.time_ns()}"
    attack_class = attacks(REPO, out, marker)
    write_class(root / "honest", HONEST)
    write_class(root / "attack", {**HONEST, **attack_class})
    (root / "attack" / LINKED).symlink_to(root / "attack" / "all-correct")
    arguments = ["--notebooks", "01", "--timeout", str(TIME_LIMIT)]
    try:
        assert grade([str(root / "honest"), str(out), *arguments]) == 0
        alone = csv_lines_of(out, HONEST)
        reference = (out / "reference.json").read_bytes()
        before = snapshot(*(REPO / name for name in WATCHED), root / "honest", root / "attack")
        state_before = snapshot(root / "state")
        start = time.perf_counter()
        assert grade([str(root / "attack"), str(out), *arguments]) == 0
        seconds = time.perf_counter() - start
        rows = read_rows(out)
        beside = csv_lines_of(out, HONEST)
        feedback = {p.stem: p.read_text(encoding="utf-8") for p in (out / "feedback").iterdir()}
        left_running = processes_with(marker)
        after = snapshot(*(REPO / name for name in WATCHED), root / "honest", root / "attack")
        state_after = snapshot(root / "state")
        reference_after = (out / "reference.json").read_bytes()
        assert grade([str(root / "honest"), str(out), *arguments]) == 0
        again = csv_lines_of(out, HONEST)
    finally:
        if saved is None:
            os.environ.pop("GRADING_STATE_DIR", None)
        else:
            os.environ["GRADING_STATE_DIR"] = saved
    print(f"\nthe attack batch: {len(rows) // len(CHECKS)} students in {seconds:.0f} s")
    for row in rows:
        if row["student"] in attack_class or row["student"] == LINKED:
            print(f"  {row['student']:<22} {row['exercise'][:28]:<30} {row['status']:<10} "
                  f"{row['detail']}")  # fmt: skip
    return {
        "attacks": attack_class,
        "rows": rows,
        "alone": alone,
        "beside": beside,
        "again": again,
        "feedback": feedback,
        "left_running": left_running,
        "changed": {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)},
        "state_changed": state_before != state_after,
        "reference": (reference, reference_after),
        "out": out,
    }


def test_honest_rows_are_the_same_bytes_alone_beside_the_attacks_and_after(batches):
    assert len(batches["alone"]) == len(HONEST) * len(CHECKS)
    assert batches["beside"] == batches["alone"]
    assert batches["again"] == batches["alone"]
    found = {
        (json.loads(line)[0], json.loads(line)[2]): json.loads(line) for line in batches["alone"]
    }
    for student, (_, _, statuses) in HONEST.items():
        for check, status in zip(CHECKS, statuses, strict=True):
            assert found[student, check][3] == status, (student, check)


def test_no_attack_earns_a_correct(batches):
    found = {(row["student"], row["exercise"]): row for row in batches["rows"]}
    for student, (_, _, statuses) in batches["attacks"].items():
        for check, expected in zip(CHECKS, statuses, strict=True):
            status = found[student, check]["status"]
            assert status != "correct", (student, check)
            assert status in (expected if isinstance(expected, tuple) else (expected,)), (
                student,
                check,
                found[student, check],
            )
    for check in CHECKS:
        assert found[LINKED, check]["status"] == "error"


def test_forged_records_reach_the_grader_and_are_refused(batches):
    """These attacks really attack: their forged record is what the grader reads."""
    found = {(row["student"], row["exercise"]): row for row in batches["rows"]}
    for student, detail in FORGED_RECORD_REFUSED.items():
        for check in CHECKS:
            assert found[student, check]["detail"] == detail, (student, check)


def test_no_file_outside_the_sandboxes_changed_and_nothing_is_left_running(batches):
    assert batches["changed"] == set()
    assert not batches["state_changed"]
    before, after = batches["reference"]
    assert after == before  # reused, not rewritten by anyone
    assert batches["left_running"] == []


def test_no_text_from_a_kernel_reaches_the_reports(batches):
    for student, text in batches["feedback"].items():
        assert "LEAKED" not in text and "Traceback" not in text, student
    for row in batches["rows"]:
        assert "LEAKED" not in row["detail"]


def test_outputs_are_capped_in_the_stored_run(batches):
    run = batches["out"] / "runs" / "huge-output" / "01_polynomial_gradient"
    assert (run / "01_polynomial_gradient.ipynb").stat().st_size < 5 << 20
