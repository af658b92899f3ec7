"""Grading a class's notebooks: the instructor's product (`make grade`, `make edition`).

    python -m grading SUBMISSIONS OUT [--timeout 300] [--jobs N] [--notebooks 01 03]
                                      [--personal] [--scheduler tcp://host:8786]
    python -m grading.editions OUT [--ids IDS_FILE] [--edition graded|practice]

Every student's notebook runs in a sandbox of its own (`sandbox.py`): no network, no file of
the instructor's but a read-only student-edition copy of the course code, capped memory,
processes, CPU time and output, and nothing left running at its end. After the student's last
cell the grader appends one cell (`kernel_side.py`) that runs the instructor's checks, without
their keys, with every check replaced by a recorder, and writes the values it was given. Those
values are the only thing that crosses from the kernel to the grader; the grading process reads
them against a strict schema (`schema.py`) and compares them with the reference answers
(`verdicts.py`), which it computed itself outside any sandbox and keeps signed where no kernel
can reach (`reference.py`, `instructor_key.py`). A function answer is graded on points the
student edition does not show. So nothing a student's notebook defines, prints, writes or
starts can mark an answer correct, spoil another student's grade or outlive the batch.

The modules, one job each, imported in this order (none imports one below it):
- `kernel_side.py`: the code the grader runs inside a kernel (it is sent as a cell's text);
- `sandbox.py`: bubblewrap and the limits; `run_one.py`: one notebook run, inside the sandbox;
- `execute.py`: one run from the grader's side (time, output, killing the sandbox);
- `exercises.py`: the exercises read from the instructor edition;
- `instructor_key.py`: the grader's secret; `personal.py`: each student's own numbers;
- `schema.py`: the record read strictly; `verdicts.py`: what each answer earns;
- `reference.py`: the reference answers; `submissions.py`: what each student handed in;
- `executors.py`: this machine or a Dask cluster; `progress.py`: the progress line;
- `report.py`: grades.csv, summary.csv, feedback/; `batch.py`: a class, start to end;
- `editions.py`: the graded and the practice edition, common and personal;
- `__main__.py`: the command line.
"""
