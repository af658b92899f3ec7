"""Where the notebook runs happen: on this machine, side by side in threads (each run is a
sandboxed process of its own), or as tasks of a running Dask cluster (`--scheduler`), one task
per (student, notebook). Either way the results come back as data, each once, as they finish;
the grading process decides and writes everything.

Dask is imported only for `--scheduler`: grading on this machine starts no Dask process.

On a cluster, a task whose worker dies is run again on another worker by Dask itself, up to the
scheduler's `distributed.scheduler.allowed-failures` (3 by default); a task that was on a
worker at each of its deaths beyond that (a notebook that kills workers) comes back as
`KilledWorker`, and that student's rows say "error". The result of a task is taken once:
a rerun replaces a lost run, it is never added to it.
"""

import os
from concurrent.futures import ThreadPoolExecutor, as_completed

from grading.execute import RunResult, course_digest, run_job
from grading.sandbox import UNSAFE_WARNING, Limits, Unsandboxed, find_sandbox, unsafe_requested

_worker_sandbox = {}


def sandbox_here(allow_unsafe: bool):
    """This machine's sandbox (found once per process), Unsandboxed when allowed, or None."""
    if "found" not in _worker_sandbox:
        _worker_sandbox["found"] = find_sandbox()
    sandbox, why = _worker_sandbox["found"]
    if sandbox is None and allow_unsafe:
        return Unsandboxed(), why
    return sandbox, why


def run_task(job: dict, limits: dict, digest: str, allow_unsafe: bool) -> RunResult:
    """One (student, notebook), where it runs: the unit of work of every executor."""
    if digest != course_digest():
        return RunResult(
            "refused", "the worker's copy of the course code differs from the grader's"
        )
    sandbox, _ = sandbox_here(allow_unsafe)
    if sandbox is None:
        return RunResult("refused", "the worker has no sandbox")
    return run_job(job, sandbox, Limits(**limits))


class LocalExecutor:
    """`jobs` runs side by side on this machine."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)

    def threads_per_run(self) -> int:
        return max(1, (os.cpu_count() or 1) // self.jobs)

    def check(self) -> str:
        """'' when runs can start here, else the refusal (sandbox.refusal's reason)."""
        sandbox, why = sandbox_here(unsafe_requested())
        return "" if sandbox is not None else why

    def run(self, jobs: dict, limits: Limits):
        """Yields (key, RunResult) for every {key: job}, as they finish."""
        digest = course_digest()
        if unsafe_requested():
            print(UNSAFE_WARNING)
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = {
                pool.submit(run_task, job, limits.as_dict(), digest, unsafe_requested()): key
                for key, job in jobs.items()
            }
            for future in as_completed(futures):
                yield futures[future], future.result()


def _worker_report(allow_unsafe: bool) -> dict:
    """Run on each Dask worker: whether it can grade."""
    sandbox, why = sandbox_here(allow_unsafe)
    return {"sandbox": getattr(sandbox, "name", None), "why": why, "course": course_digest()}


class DaskExecutor:
    """Tasks of the Dask cluster whose scheduler is at `address` (tcp://host:8786)."""

    def __init__(self, address: str):
        from distributed import Client

        self.client = Client(address, timeout="30s")

    def threads_per_run(self) -> int:
        return 1

    def check(self) -> str:
        reports = self.client.run(_worker_report, unsafe_requested())
        if not reports:
            return "the Dask cluster has no worker"
        digest = course_digest()
        for worker, report in sorted(reports.items()):
            if report["sandbox"] is None:
                return f"the Dask worker {worker} has no sandbox: {report['why']}"
            if report["course"] != digest:
                return f"the Dask worker {worker} runs other course code than this checkout"
        return ""

    def run(self, jobs: dict, limits: Limits):
        from distributed import KilledWorker
        from distributed import as_completed as dask_completed

        digest = course_digest()
        futures = {
            self.client.submit(
                run_task, job, limits.as_dict(), digest, unsafe_requested(), pure=False
            ): key
            for key, job in jobs.items()
        }
        for future in dask_completed(futures):
            try:
                result = future.result()
            except KilledWorker:
                result = RunResult("lost", "its Dask worker died more often than Dask allows")
            except Exception:  # noqa: BLE001  (a task that failed in Dask itself)
                result = RunResult("lost", "the Dask task failed")
            future.release()
            yield futures[future], result

    def close(self) -> None:
        self.client.close()
