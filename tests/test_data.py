import os
from pathlib import Path

import pytest
import torch
import torchvision

from helpers.data import (
    MNISTCorruptError,
    MNISTUnavailableError,
    _main,
    expected_files,
    load_mnist,
    mnist_features,
    parity_labels,
)

# Port 9 on loopback refuses connections: the real download path runs and fails, offline or not.
UNREACHABLE_MIRRORS = ["http://127.0.0.1:9/"]


def write_idx(raw: Path, split: str, images: torch.Tensor, labels: torch.Tensor) -> None:
    prefix = "train" if split == "train" else "t10k"
    n = images.shape[0]
    header = (2051).to_bytes(4, "big") + n.to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    (raw / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.numpy().tobytes())
    label_header = (2049).to_bytes(4, "big") + n.to_bytes(4, "big")
    (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(
        label_header + labels.to(torch.uint8).numpy().tobytes()
    )


@pytest.fixture
def tiny_mnist(tmp_path):
    """A 12-image train split and a 6-image test split in torchvision's layout."""
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    generator = torch.Generator().manual_seed(0)
    splits = {}
    for split, n in (("train", 12), ("test", 6)):
        images = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=generator)
        labels = torch.arange(n) % 10
        write_idx(raw, split, images, labels)
        splits[split] = (images, labels)
    return tmp_path, splits


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", UNREACHABLE_MIRRORS)


@pytest.mark.parametrize("split", ["train", "test"])
def test_loads_whole_split_as_tensors(tiny_mnist, offline, split):
    root, splits = tiny_mnist
    images, labels = load_mnist(split, root=root)
    assert images.dtype == torch.uint8 and labels.dtype == torch.int64
    assert torch.equal(images, splits[split][0])
    assert torch.equal(labels, splits[split][1])


def test_mnist_root_environment_variable_is_used(tiny_mnist, offline, monkeypatch):
    root, _splits = tiny_mnist
    monkeypatch.setenv("MNIST_ROOT", str(root))
    images, _ = load_mnist("test")
    assert images.shape == (6, 28, 28)


def test_unknown_split_is_refused():
    with pytest.raises(ValueError, match="train"):
        load_mnist("validation")


def test_missing_files_and_failed_download_give_one_clear_error(tmp_path, offline):
    with pytest.raises(MNISTUnavailableError) as caught:
        load_mnist("train", root=tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert "MNIST_ROOT" in message
    for name in expected_files():
        assert name in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_failed_download_leaves_no_empty_folders_behind(tmp_path, offline):
    with pytest.raises(MNISTUnavailableError):
        load_mnist("train", root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_mistyped_mnist_root_says_so_and_creates_nothing(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-folder"
    monkeypatch.setenv("MNIST_ROOT", str(missing))
    with pytest.raises(MNISTUnavailableError, match="does not exist") as caught:
        load_mnist("test")
    assert str(missing / "MNIST" / "raw") in str(caught.value)
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_offline_error_hides_the_network_traceback(tmp_path, offline, monkeypatch):
    """Python prints an exception's chain ("During handling of the above exception", "The above
    exception was the direct cause") from `__context__` and `__cause__`: the error a student sees
    must carry neither, so no URLError traceback is printed above it."""
    monkeypatch.setenv("MNIST_ROOT", str(tmp_path))
    with pytest.raises(MNISTUnavailableError, match="MNIST could not be loaded") as caught:
        load_mnist("train")
    error = caught.value
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_check_command_exits_non_zero_with_the_message_only(tmp_path, offline, monkeypatch, capsys):
    """`make data` runs `python -m helpers.data`, whose `_main` becomes the exit status."""
    monkeypatch.setenv("MNIST_ROOT", str(tmp_path))
    assert _main() == 1
    printed = capsys.readouterr()
    assert printed.err.startswith("MNIST could not be loaded")
    assert "Traceback" not in printed.err and printed.out == ""


def test_truncated_image_file_is_a_clear_error(tiny_mnist, offline):
    root, _ = tiny_mnist
    path = root / "MNIST" / "raw" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(MNISTCorruptError, match="truncated.*12 images"):
        load_mnist("train", root=root)


def test_file_that_is_not_idx_is_a_clear_error(tiny_mnist, offline):
    root, _ = tiny_mnist
    (root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").write_bytes(b"<html>not found</html>")
    with pytest.raises(MNISTCorruptError, match="not an MNIST label file"):
        load_mnist("test", root=root)


def test_mismatched_image_and_label_counts_are_caught(tiny_mnist, offline):
    root, _ = tiny_mnist
    five_labels = (2049).to_bytes(4, "big") + (5).to_bytes(4, "big") + bytes(5)
    (root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").write_bytes(five_labels)
    with pytest.raises(MNISTCorruptError, match="6 images but .* 5 labels"):
        load_mnist("test", root=root)


def test_features_are_standardised_and_flattened():
    images = torch.tensor([[[0] * 28] * 28, [[255] * 28] * 28], dtype=torch.uint8)
    features = mnist_features(images)
    assert features.shape == (2, 784) and features.dtype == torch.float32
    assert torch.allclose(features[0], torch.full((784,), -0.1307 / 0.3081))
    assert torch.allclose(features[1], torch.full((784,), (1 - 0.1307) / 0.3081))


def test_features_refuse_non_image_input():
    with pytest.raises(ValueError, match="uint8 images"):
        mnist_features(torch.zeros(2, 784))


def test_parity_is_one_for_odd_digits():
    assert parity_labels(torch.arange(10)).tolist() == [0.0, 1.0] * 5


@pytest.mark.skipif(not os.environ.get("MNIST_ROOT"), reason="MNIST_ROOT not set")
def test_real_files_under_mnist_root():
    images, labels = load_mnist("test")
    assert images.shape == (10_000, 28, 28)
    assert labels.bincount().tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    train_images, train_labels = load_mnist("train")
    assert train_images.shape[0] == train_labels.shape[0] >= 5_000


def test_train_validation_draw_is_disjoint_and_repeatable():
    from helpers.data import draw_train_validation

    train, validation = draw_train_validation(100, 60, 30, torch.Generator().manual_seed(3))
    assert len(train) == 60 and len(validation) == 30
    assert len(set(train.tolist()) | set(validation.tolist())) == 90
    again, _ = draw_train_validation(100, 60, 30, torch.Generator().manual_seed(3))
    assert torch.equal(train, again)


@pytest.mark.parametrize("sizes", [(100, 80, 30), (100, 0, 10)])
def test_train_validation_draw_refuses_impossible_sizes(sizes):
    from helpers.data import draw_train_validation

    with pytest.raises(ValueError):
        draw_train_validation(*sizes, torch.Generator())


def test_first_images_per_digit_keeps_file_order():
    from helpers.data import first_images_per_digit

    digits = torch.tensor([3, 1, 3, 0, 1, 3, 2, 0, 1, 2] + list(range(10)) * 2)
    rows = first_images_per_digit(digits, per_digit=2)
    assert rows.tolist() == sorted(rows.tolist())
    assert rows[:8].tolist() == [0, 1, 2, 3, 4, 6, 7, 9]  # the second 3 is row 2, not row 5
    assert torch.bincount(digits[rows], minlength=10).tolist() == [2] * 10


def test_first_images_per_digit_refuses_a_split_too_small():
    from helpers.data import first_images_per_digit

    with pytest.raises(ValueError, match=r"fewer than 3 images of digit\(s\) \[9\]"):
        first_images_per_digit(torch.tensor(list(range(9)) * 3 + [9, 9]), per_digit=3)


def test_the_lecture_subset_is_found_inside_a_full_size_split():
    """500 per digit hidden among 55,000 fillers come back exactly, in their order."""
    from full_size_mnist import OFFICIAL_TRAIN_COUNTS, surround_with_fillers

    from helpers.data import first_images_per_digit

    generator = torch.Generator().manual_seed(1)
    subset_digits = torch.arange(10).repeat(500)[torch.randperm(5_000, generator=generator)]
    subset_images = torch.randint(0, 256, (5_000, 28, 28), dtype=torch.uint8, generator=generator)
    images, digits = surround_with_fillers(subset_images, subset_digits)

    assert images.shape == (60_000, 28, 28)
    assert torch.bincount(digits).tolist() == list(OFFICIAL_TRAIN_COUNTS)
    rows = first_images_per_digit(digits, per_digit=500)
    assert rows[-1] > 5_000, "fillers must sit between the subset's images, not only after them"
    assert torch.equal(digits[rows], subset_digits)
    assert torch.equal(images[rows], subset_images)


def test_in_a_notebook_missing_mnist_is_one_paragraph_not_a_traceback(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from tools.run_notebooks import ipc_kernel_manager

    monkeypatch.setenv("MNIST_ROOT", str(tmp_path))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            f"import torchvision; torchvision.datasets.MNIST.mirrors = {UNREACHABLE_MIRRORS!r}\n"
            "from helpers.data import load_mnist\n"
            "train_images, train_digits = load_mnist('train')"
        )
    ]
    manager = ipc_kernel_manager(kernel_name="python3")
    NotebookClient(notebook, km=manager, allow_errors=True, timeout=120).execute(cleanup_kc=True)
    (error,) = [o for o in notebook.cells[0].outputs if o.output_type == "error"]
    assert len(error.traceback) == 1  # the paragraph, no frames
    paragraph = error.traceback[0]
    assert paragraph.startswith("MNISTUnavailableError: MNIST could not be loaded")
    assert "%env MNIST_ROOT=" in paragraph and "export MNIST_ROOT=" in paragraph
    assert "File " not in paragraph and "torchvision/" not in paragraph
