"""Find the numbers a notebook's text quotes, and the numbers that back them.

A number in a markdown cell or a code comment is a claim about what the notebook computes. It
is backed when the notebook's stored outputs show it (to the precision the text gives: "about
88%" is backed by 87.70%), when the notebook's code sets it (`p = 1_000`, a shape `(20, p)`),
or when `tests/quoted_numbers.py` lists it for that notebook with its source (a slide, a
definition). Anything else goes stale when an output changes, and is reported.

Only quantities are read: numbers with a decimal point, whole numbers from 10 up, and
percentages. Single digits ("two layers", "step 3", "3x² − 3"), formulas in $…$, code in
backticks, links, headings' and lists' numbering and names such as "notebook 03" or "float64"
are ordinary prose, not quotes.
"""

import ast
import io
import re
import tokenize
from dataclasses import dataclass

# A number: 10,000 or 10 000 (thousands), 0.0936, 1e-7, with an optional % after it.
_NUMBER = re.compile(
    r"(?<![\w.,])"
    r"(?P<digits>\d{1,3}(?:[,\u202f\u2009]\d{3})+|\d+)"
    r"(?P<fraction>\.\d+)?"
    r"(?P<exponent>e[-+−]?\d+)?"
    r"(?![\w])"
    r"(?P<percent>\s?%)?"
)
# Words after which a number is a name, not a quantity: "notebook 03", "Python 3.13".
_NAMING_WORDS = [
    "notebook",
    "notebooks",
    "exercise",
    "exercises",
    "section",
    "sections",
    "part",
    "step",
    "steps",
    "cell",
    "cells",
    "slide",
    "slides",
    "chapter",
    "theorem",
    "figure",
    "python",
    "torch",
    "torchvision",
    "pytorch",
    "version",
    "versions",
    "ipywidgets",
    "jupyterlab",
    "issue",
    "line",
    "lines",
    "rung",
    "epoch",
]
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.DOTALL)
_CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>\n]*>")
_NUMBERING = re.compile(r"^\s*(?:#+\s*\d+\.|\d+\.\s|[-*]\s+\d+\.\s)", re.MULTILINE)


@dataclass(frozen=True)
class Quote:
    text: str  # as written, e.g. "87.7%"
    value: float
    decimals: int
    percent: bool
    context: str


def _quotes(text: str) -> list[Quote]:
    found = []
    for match in _NUMBER.finditer(text):
        before = text[: match.start()].rstrip().split()
        previous_word = before[-1].lower().strip("(*_") if before else ""
        if previous_word in _NAMING_WORDS:
            continue
        digits = re.sub(r"[,\u202f\u2009]", "", match["digits"])
        fraction = match["fraction"] or ""
        exponent = (match["exponent"] or "").replace("−", "-")
        if digits.startswith("0") and len(digits) > 1 and not fraction:
            continue  # "03", "05": names of notebooks and files
        value = float(digits + fraction + exponent)
        percent = bool(match["percent"])
        if not (fraction or exponent or percent or value >= 10):
            continue  # a single digit: prose, not a quoted quantity
        decimals = len(fraction) - 1 if fraction else 0
        context = text[max(0, match.start() - 40) : match.end() + 20].replace("\n", " ")
        found.append(Quote(match.group(0).strip(), value, decimals, percent, context))
    return found


def markdown_prose(source: str) -> str:
    """The words of a markdown cell, without math, code, links and numbering."""
    for pattern in (_MATH, _CODE_SPAN, _LINK, _NUMBERING):
        source = pattern.sub(" ", source)
    return source


def code_comments(source: str) -> str:
    """The comments of a code cell (IPython's % and ! lines are left out)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tokens = tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
        return "\n".join(token.string[1:] for token in tokens if token.type == tokenize.COMMENT)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return ""


def code_literals(source: str) -> set[float]:
    """Every number written in a code cell: the notebook's own inputs."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    return {
        abs(float(node.value))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    }


def output_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        data = output.get("data", {})
        for kind in ("text/plain", "text/markdown"):
            parts.append("".join(data.get(kind, "")))
        parts.append(output.get("evalue", ""))
    return "\n".join(parts)


def _backed(quote: Quote, values: set[float], percents: set[float]) -> bool:
    pool = percents if quote.percent else values
    return any(
        candidate == quote.value or round(candidate, quote.decimals) == quote.value
        for candidate in pool
    )


def unbacked_quotes(notebook: dict, constants: dict[str, str]) -> list[Quote]:
    """The numbers quoted in `notebook`'s markdown and comments that none of its outputs, code
    literals or listed `constants` (number as written -> its source) back."""
    values, percents = set(), set()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        values |= code_literals(source)
        for quote in _quotes(output_text(cell)):
            (percents if quote.percent else values).add(quote.value)
    for written in constants:  # "0.1307", "10,000", "3%"
        number = float(written.replace(",", "").rstrip("%").strip())
        (percents if written.endswith("%") else values).add(number)
    unbacked = []
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        prose = markdown_prose(source) if cell["cell_type"] == "markdown" else code_comments(source)
        unbacked += [quote for quote in _quotes(prose) if not _backed(quote, values, percents)]
    return unbacked
