"""MNIST as whole tensors in memory, plus the features and odd/even labels of notebook 05.

`load_mnist` goes through `torchvision.datasets.MNIST` (so a student with internet gets the
files downloaded into `data/`), but returns the split's tensors directly: no per-image PIL
transform, which is what makes tensor-resident batching fast.

`make data` (which runs `.venv/bin/python -m helpers.data`) checks that MNIST can be found: it
prints the sizes, or the one-paragraph explanation of what is missing and exits non-zero then.
"""

import contextlib
import io
import os
import sys
from pathlib import Path

import torch

from helpers.paths import MNIST_ROOT_ENV_VAR, data_root

# The normalisation every MNIST tutorial uses: the training set's pixel mean and std.
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
IMAGE_SIDE = 28
SPLITS = ("train", "test")
_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049  # IDX headers: uint8 3-d and uint8 1-d


class _ParagraphInNotebooks(RuntimeError):
    """An error whose message is all a student needs: IPython shows it as one paragraph
    (through `_render_traceback_`) instead of a traceback through torchvision."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class MNISTUnavailableError(_ParagraphInNotebooks):
    """MNIST is neither on disk nor downloadable; the message says where it was looked for."""


class MNISTCorruptError(_ParagraphInNotebooks):
    """An MNIST file exists but is truncated or is not an IDX file of the expected kind."""


def expected_files() -> list[str]:
    return [name for split in SPLITS for name in _IDX_FILES[split]]


def _unavailable_message(root: Path, reason: str) -> str:
    raw = root / "MNIST" / "raw"
    return (
        f"MNIST could not be loaded: the files are not in {raw} and downloading them failed "
        f"({reason}). Expected these four files in that folder (uncompressed): "
        f"{', '.join(expected_files())}. Either connect to the internet and rerun (they are "
        f"downloaded there, about 12 MB), or set {MNIST_ROOT_ENV_VAR} to a folder that holds "
        "MNIST/raw/ with them: in the notebook, run `%env MNIST_ROOT=/path/to/data` in a cell "
        "and then rerun this one; in a shell, `export MNIST_ROOT=/path/to/data` before starting "
        "Jupyter."
    )


def _read_header(path: Path, n_ints: int) -> list[int]:
    with open(path, "rb") as handle:
        header = handle.read(4 * n_ints)
    if len(header) < 4 * n_ints:
        raise MNISTCorruptError(f"{path} is truncated: it is shorter than its IDX header.")
    return [int.from_bytes(header[4 * i : 4 * i + 4], "big") for i in range(n_ints)]


def _validate_idx_pair(images_path: Path, labels_path: Path) -> None:
    """Check magic numbers, counts and file sizes before torchvision reads the files, so that a
    damaged download gives a sentence naming the file rather than a reshape error."""
    magic, count, rows, cols = _read_header(images_path, 4)
    if magic != _IMAGES_MAGIC or (rows, cols) != (IMAGE_SIDE, IMAGE_SIDE):
        raise MNISTCorruptError(
            f"{images_path} is not an MNIST image file (IDX magic {magic}, images {rows}x{cols}; "
            f"expected magic {_IMAGES_MAGIC} and 28x28). Delete it and download again."
        )
    expected_size = 16 + count * IMAGE_SIDE * IMAGE_SIDE
    if images_path.stat().st_size != expected_size:
        raise MNISTCorruptError(
            f"{images_path} is truncated or damaged: its header announces {count} images "
            f"({expected_size} bytes) but the file has {images_path.stat().st_size} bytes. "
            "Delete it and download again."
        )
    magic, label_count = _read_header(labels_path, 2)
    if magic != _LABELS_MAGIC:
        raise MNISTCorruptError(
            f"{labels_path} is not an MNIST label file "
            f"(IDX magic {magic}, expected {_LABELS_MAGIC})."
        )
    if labels_path.stat().st_size != 8 + label_count:
        raise MNISTCorruptError(
            f"{labels_path} is truncated or damaged: its header announces {label_count} labels "
            f"but the file has {labels_path.stat().st_size - 8} bytes of labels."
        )
    if label_count != count:
        raise MNISTCorruptError(
            f"{images_path.name} holds {count} images but {labels_path.name} holds "
            f"{label_count} labels; the two files come from different downloads."
        )


def _torchvision_mnist(root: Path, train: bool):
    """torchvision's MNIST with download=True; its network chatter is kept out of the notebook
    and a failed download becomes one readable error instead of a chain of URL tracebacks."""
    import torchvision  # imported here: importing helpers.data stays cheap

    chatter = io.StringIO()
    try:
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            return torchvision.datasets.MNIST(root=str(root), train=train, download=True)
    except (OSError, RuntimeError) as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        reason = lines[0].rstrip(":") if lines else type(error).__name__
        if len(lines) > 1:
            reason += f"; last attempt: {lines[-1]}"
        raise MNISTUnavailableError(_unavailable_message(root, reason)) from None


@contextlib.contextmanager
def _removing_empty_folders_on_failure(folders: list[Path]):
    """If the block fails, remove those of `folders` it created and left empty (a failed
    download leaves `MNIST/raw/` behind otherwise). Folders that existed before stay."""
    created = [folder for folder in folders if not folder.exists()]
    try:
        yield
    except BaseException:
        for folder in reversed(created):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise


def load_mnist(split: str = "train", root: Path | str | None = None):
    """Return `(images, labels)` of one MNIST split: uint8 `(N, 28, 28)` and int64 `(N,)`.

    `root` defaults to `helpers.paths.data_root()` (`$MNIST_ROOT` or `data/`). N is whatever
    the files hold (60,000/10,000 officially; a smaller copy may hold fewer): read it from the
    result.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    chosen = root is not None or bool(os.environ.get(MNIST_ROOT_ENV_VAR, "").strip())
    root = Path(root) if root is not None else data_root()
    raw = root / "MNIST" / "raw"
    images_name, labels_name = _IDX_FILES[split]
    if chosen and not root.is_dir():
        # A mistyped MNIST_ROOT: say so, and create nothing there (torchvision would).
        raise MNISTUnavailableError(
            _unavailable_message(root, f"{MNIST_ROOT_ENV_VAR} names a folder that does not exist")
        )
    if (raw / images_name).is_file() and (raw / labels_name).is_file():
        _validate_idx_pair(raw / images_name, raw / labels_name)
    with _removing_empty_folders_on_failure([root / "MNIST", raw]):
        dataset = _torchvision_mnist(root, train=(split == "train"))
    images, labels = dataset.data, dataset.targets.to(torch.int64)
    if labels.numel() and (labels.min() < 0 or labels.max() > 9):
        raise MNISTCorruptError(f"{raw / labels_name} holds labels outside 0..9.")
    return images, labels


def mnist_features(images: torch.Tensor) -> torch.Tensor:
    """uint8 `(N, 28, 28)` images -> float32 `(N, 784)`, scaled to [0, 1] then standardised."""
    if images.dtype != torch.uint8 or images.shape[-2:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(
            f"expected uint8 images of shape (N, 28, 28), got {images.dtype} {tuple(images.shape)}"
        )
    scaled = images.to(torch.float32) / 255.0
    return ((scaled - MNIST_MEAN) / MNIST_STD).reshape(images.shape[0], -1)


def parity_labels(labels: torch.Tensor) -> torch.Tensor:
    """Digit labels `(N,)` -> float32 `(N,)` with 1.0 for odd digits and 0.0 for even ones."""
    return (labels % 2).to(torch.float32)


def first_images_per_digit(digits: torch.Tensor, per_digit: int) -> torch.Tensor:
    """Row indices `(10 * per_digit,)` of the first `per_digit` images of each digit, in file
    order.

    This is how notebook 05 picks its 5,000 training images (500 per digit): the rule gives the
    same images in the same order from the full 60,000-image download and from any copy that
    keeps MNIST's official order, so every student trains on the same data.
    """
    if per_digit < 1:
        raise ValueError(f"per_digit must be at least 1, got {per_digit}")
    counts = torch.bincount(digits, minlength=10)
    short = [digit for digit in range(10) if counts[digit] < per_digit]
    if short:
        raise ValueError(
            f"the split has fewer than {per_digit} images of digit(s) {short} "
            f"(counts per digit: {counts.tolist()}): lower per_digit or load a larger split"
        )
    # For every row, how many earlier rows carry the same digit: its rank within its digit.
    rank_within_digit = torch.empty_like(digits)
    for digit in range(10):
        rows = (digits == digit).nonzero().squeeze(1)
        rank_within_digit[rows] = torch.arange(len(rows))
    return (rank_within_digit < per_digit).nonzero().squeeze(1)


def draw_train_validation(
    n_available: int, n_train: int, n_validation: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw `n_train + n_validation` distinct row indices at random (without replacement) and
    split them into training and validation indices. The lecture's recipe is 4,000 + 1,000."""
    if min(n_train, n_validation) < 1:
        raise ValueError(
            f"need at least one training and one validation row, got {n_train}, {n_validation}"
        )
    if n_train + n_validation > n_available:
        raise ValueError(
            f"cannot draw {n_train} + {n_validation} rows from {n_available}: "
            "lower the sizes or load a larger training split"
        )
    drawn = torch.randperm(n_available, generator=generator)[: n_train + n_validation]
    return drawn[:n_train], drawn[n_train:]


def _main() -> int:
    try:
        for split in SPLITS:
            images, labels = load_mnist(split)
            print(
                f"MNIST {split}: {images.shape[0]} images, {labels.bincount().tolist()} per digit"
            )
    except (MNISTUnavailableError, MNISTCorruptError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main())
