"""Every number quoted in a notebook's markdown or code comments is backed by the notebook
itself: its stored outputs, its code, or a constant with a named source (tests/quoted_numbers.py).
So no sentence keeps a number after the output it described has changed."""

import json
from pathlib import Path

import pytest

from tests.numbers_in_text import unbacked_quotes
from tests.quoted_numbers import QUOTED_NUMBERS

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def notebook(markdown: str = "", code: str = "", output: str = "") -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "source": markdown},
            {
                "cell_type": "code",
                "source": code,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": output}],
            },
        ]
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_number_in_the_text_is_backed_by_the_notebook(path):
    unbacked = unbacked_quotes(
        json.loads(path.read_text(encoding="utf-8")), QUOTED_NUMBERS[path.stem]
    )
    assert not unbacked, (
        "numbers quoted but not in the outputs, the code or quoted_numbers.py:\n"
        + ("\n".join(f"  {quote.text}: …{quote.context}…" for quote in unbacked))
    )


def test_every_notebook_has_its_list_of_constants():
    assert sorted(QUOTED_NUMBERS) == [path.stem for path in NOTEBOOKS]


def test_stale_numbers_are_caught():
    """The stale sentences found in the notebooks before this test existed."""
    old_comment = notebook(
        code="# Measured 38 to 78 times for a tenfold p.\nassert growth > 5",
        output="finite differences: 159 times the cost\nforward mode (jvp): 41 times the cost",
    )
    assert [quote.text for quote in unbacked_quotes(old_comment, {})] == ["38", "78"]
    old_takeaway = notebook(
        markdown="Each route's peak memory (measured within 10%) and time.",
        code="assert abs(ratio - 1) < 0.03",
        output="(a) Gram: measured / theory between 1.000 and 1.000",
    )
    assert [quote.text for quote in unbacked_quotes(old_takeaway, {})] == ["10%"]


def test_a_number_the_outputs_show_is_backed_to_the_texts_precision():
    text = notebook(
        markdown="Both reach about 88%, the network 93.1% (10,000 images, 0.0936 at z = −30).",
        code="images, z = 10_000, -30",
        output="validation 87.70%, network 93.10%\ngradient -0.0936",
    )
    assert unbacked_quotes(text, {}) == []
    assert [q.text for q in unbacked_quotes(notebook(markdown="about 87.5%"), {})] == ["87.5%"]


def test_ordinary_prose_is_not_read_as_a_quote():
    prose = notebook(
        markdown=(
            "## 5. Why reverse mode\n1. Two layers, notebook 03, exercise 12, step 3 of 7, "
            "float64, Python 3.13, Theorem 18.1, $x^{10}$, `torch.randn(20, 1000)`, "
            "[badge](https://example.org/v/2024/a.svg)."
        )
    )
    assert unbacked_quotes(prose, {}) == []


def test_listed_constants_back_a_quote():
    text = notebook(markdown="MNIST's mean 0.1307 and std 0.3081; within 3%.")
    constants = {"0.1307": "MNIST's mean", "0.3081": "MNIST's std", "3%": "the assert"}
    assert unbacked_quotes(text, constants) == []
