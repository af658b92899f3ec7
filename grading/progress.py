"""The progress line, printed as each notebook run finishes: done / total, the runs that failed
so far (timeout, error), and the time left, estimated from the pace so far."""

import sys
import time


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    def __init__(self, total: int, stream=None, clock=time.monotonic):
        self.total, self.done, self.failed = total, 0, 0
        self.stream = stream or sys.stderr
        self.clock, self.start = clock, clock()

    def line(self) -> str:
        elapsed = self.clock() - self.start
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        estimate = (
            "" if left is None or self.done == self.total else f", about {duration(left)} left"
        )
        return f"graded {self.done}/{self.total} notebooks, {self.failed} failed so far{estimate}"

    def finished(self, failed: bool) -> None:
        self.done += 1
        self.failed += bool(failed)
        print(self.line(), file=self.stream, flush=True)
