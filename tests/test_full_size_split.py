"""A student who downloads MNIST has all 60,000 training images; notebook 05 must still show
them exactly the stored outputs. Runs nbval (strict, as `make test` does) on notebook 05 with
MNIST_ROOT pointing at a full-size split built around the lecture's 5,000 images."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from full_size_mnist import build_full_size_root

from helpers.data import MNISTUnavailableError, first_images_per_digit, load_mnist
from helpers.paths import data_root

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def full_size_root(tmp_path_factory):
    try:
        load_mnist("test")
        load_mnist("train")
    except MNISTUnavailableError as error:
        pytest.skip(f"MNIST is not available: {error}")
    return build_full_size_root(data_root(), tmp_path_factory.mktemp("full_size") / "data")


def test_the_built_split_is_full_size_and_holds_the_lecture_images(full_size_root):
    images, digits = load_mnist("train", root=full_size_root)
    small_images, small_digits = load_mnist("train")
    small_rows = first_images_per_digit(small_digits, per_digit=500)
    rows = first_images_per_digit(digits, per_digit=500)
    assert len(digits) == 60_000
    assert torch.equal(images[rows], small_images[small_rows])
    assert torch.equal(load_mnist("test", root=full_size_root)[0], load_mnist("test")[0])


@pytest.mark.slow  # notebook 05 once more, on 60,000 images: `make slow-test`
def test_notebook_05_matches_its_stored_outputs_on_a_full_size_split(full_size_root, tmp_path):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "notebooks/05_mnist_models.ipynb",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    env = {
        **os.environ,
        "MNIST_ROOT": str(full_size_root),
        "FIGURES_DIR": str(tmp_path),
        "TQDM_DISABLE": "1",
    }
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
