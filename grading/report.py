"""What the grader writes: grades.csv (a row per student × notebook × check), summary.csv (per
check, how many students got each status) and feedback/<student>.md (each check's status and,
where it is not correct, the notebook's own hint; never the answer)."""

import csv
from collections import Counter
from pathlib import Path

from grading.verdicts import STATUSES

COLUMNS = ["student", "notebook", "exercise", "status", "points", "detail"]


def write_grades(rows: list[dict], out: Path) -> None:
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def write_summary(rows: list[dict], out: Path) -> None:
    counts = {}
    for row in rows:
        counts.setdefault((row["notebook"], row["exercise"]), Counter())[row["status"]] += 1
    with open(out / "summary.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["notebook", "exercise", *STATUSES])
        for (notebook, exercise), counter in counts.items():
            writer.writerow([notebook, exercise, *(counter[status] for status in STATUSES)])


SAYS = {
    "correct": "correct",
    "wrong": "not yet right",
    "unanswered": "not answered",
    "error": "could not be checked",
    "timeout": "not checked: the notebook ran past the time limit",
    "missing": "not handed in",
}


def write_feedback(rows: list[dict], hints: dict, notes: dict, out: Path) -> None:
    """`notes`: {(student, notebook): a sentence about the file graded (a renamed one)}."""
    folder = out / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    for student in sorted({row["student"] for row in rows}):
        mine = [row for row in rows if row["student"] == student]
        points = sum(row["points"] for row in mine)
        lines = [f"# Feedback for {student}", "", f"Points: {points} of {len(mine)}."]
        notebook = None
        for row in mine:
            if row["notebook"] != notebook:
                notebook = row["notebook"]
                lines += ["", f"## {notebook}", ""]
                if notes.get((student, notebook)):
                    lines += [f"({notes[student, notebook]})", ""]
            line = f"- **{row['exercise']}**: {SAYS[row['status']]}"
            if row["status"] == "error" and row["detail"]:
                line += f" ({row['detail'][:200]})"
            if row["status"] in ("wrong", "unanswered", "error"):
                line += f"\n  Hint: {hints[notebook, row['exercise']]}"
            lines.append(line)
        (folder / f"{student}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
