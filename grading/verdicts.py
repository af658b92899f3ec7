"""What each answer earns: the grading process compares the values read from a student's kernel
(`schema.py`) with the reference answers (`reference.py`), written the way the checks write
them (helpers.exercises: numbers to 4 significant digits, counts exactly, words in lower case).
Every detail is the grader's own sentence: no text from a kernel reaches a report."""

from grading import schema
from helpers.exercises import number_readings

STATUSES = ("correct", "wrong", "unanswered", "error", "timeout", "missing")

UNUSABLE_SAYS = {  # kernel_side.UNUSABLE: (status, detail)
    "not a number": ("wrong", "not a number, a list of numbers or a tensor"),
    "too many values": ("wrong", "far more values than the answer has"),
    "not a word": ("wrong", "not a word"),
    "not a function": ("wrong", "not a function"),
    "raised": ("wrong", "the function raised an error at one of the grader's points"),
    "call failed": ("error", "the exercise cell's check could not run in the notebook's state"),
    "checks failed": ("error", "the checks could not run in the notebook's state"),
}


def _numbers_verdict(kind: str, values: tuple, expected: list[str]) -> tuple[str, str]:
    if len(values) != len(expected):
        return "wrong", f"{len(values)} values, {len(expected)} expected"
    if any(x is None for x in values):
        return "wrong", "not a finite number"
    if kind == "count":
        whole = values[0] == int(values[0])
        return ("correct" if whole and str(int(values[0])) == expected[0] else "wrong"), ""
    right = all(written in number_readings(x) for x, written in zip(values, expected))
    return ("correct" if right else "wrong"), ""


def verdict(kind: str, expected: dict, entry) -> tuple[str, str]:
    """(status, detail) of one check: `expected`, the reference answer (reference.py);
    `entry`, what the student's record holds for it (schema.read_record)."""
    if entry is schema.NO_ANSWER:
        return "unanswered", ""
    if entry is schema.NOT_RECORDED:
        return "error", "the notebook stopped before this answer could be read"
    if entry is schema.UNREADABLE:
        return "error", "the answer could not be read"
    if isinstance(entry, schema.Unusable):
        return UNUSABLE_SAYS[entry.code]
    if kind == "choice":
        return ("correct" if [entry.text] == expected["written"] else "wrong"), ""
    if kind == "function":
        for values, written in zip(entry.values, expected["hidden"], strict=True):
            status, detail = _numbers_verdict("answer", values, written)
            if status != "correct":
                return status, detail
        return "correct", ""
    return _numbers_verdict(kind, entry.values, expected["written"])
