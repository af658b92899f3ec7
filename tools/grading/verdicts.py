"""What each answer earns: the grading process compares the values a student's kernel recorded
with the answers the instructor's reference solutions got accepted, written the same way
(helpers.exercises: numbers to 4 significant digits, counts exactly, words in lower case)."""

from helpers.exercises import number_readings, written_number

STATUSES = ("correct", "wrong", "unanswered", "error", "timeout", "missing")


def verdict(kind: str, expected: list[str], recorded: dict | None) -> tuple[str, str]:
    """(status, detail) of one check: `expected` as the reference's answers were written,
    `recorded` what the capture cell wrote for this check (None: nothing was recorded)."""
    if recorded is None:
        return "error", "the notebook stopped before this answer could be read"
    if "status" in recorded:
        return recorded["status"], recorded.get("detail", "")
    if kind == "choice":
        return ("correct" if [recorded["word"]] == expected else "wrong"), ""
    values = recorded.get("values")
    if kind == "function":
        values = [x for point in recorded["points"] for x in point]
    if len(values) != len(expected):
        return "wrong", f"{len(values)} values, {len(expected)} expected"
    if kind == "count":
        right = values[0] == int(values[0]) and str(int(values[0])) == expected[0]
    else:
        right = all(written in number_readings(x) for x, written in zip(values, expected))
    return ("correct" if right else "wrong"), ""


def written_forms(kind: str, recorded: dict) -> list[str]:
    """A recorded answer written the way its check writes it (a reference answer recorded from
    the instructor's solutions: personal editions)."""
    if "status" in recorded:
        raise ValueError(f"no answer recorded: {recorded}")
    if kind == "choice":
        return [recorded["word"]]
    values = recorded.get("values")
    if kind == "function":
        values = [x for point in recorded["points"] for x in point]
    if kind == "count":
        return [str(int(values[0]))]
    return [written_number(x) for x in values]
