"""`make grade`: an instructor grades a class's notebooks with the instructor's own checks.

    python -m tools.grading SUBMISSIONS OUT [--timeout 300] [--jobs N] [--notebooks 01 03]

SUBMISSIONS holds one folder per student (its name is the student's id), each with any of the
five student notebooks as handed in. Every notebook runs in a kernel of its own, in a process of
its own with a time limit, up to the machine's cores side by side. The student's kernel is asked
for one thing only, the values of the answer variables (`capture.py`): after the student's cells,
the grader runs its own copy of the instructor's checks, with every check replaced by one that
records what it was given. The grading process then compares those values with the answers the
instructor edition's reference solutions got accepted (`reference.py`), in its own process, so
nothing a student's kernel defines, prints or deletes can mark an answer correct.

The modules: `exercises.py` reads the exercises out of the instructor edition, `reference.py`
runs it for the expected answers, `capture.py` holds the recording checks and the cells that use
them, `run_one.py` executes one notebook and `runner.py` starts it with the time limit,
`verdicts.py` decides each answer, `report.py` writes grades.csv, summary.csv and one feedback
file per student, `personal.py` makes personal editions, `__main__.py` runs the batch.
"""
