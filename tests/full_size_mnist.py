"""Build a full-size (60,000-image) MNIST training split around a smaller one, for tests.

A student who downloads MNIST gets the official 60,000 training images; these machines hold only
their first 500 per digit. To check that notebook 05 gives a downloader the same numbers, we
rebuild a split of the official size in which the small split's images are exactly the first 500
of each digit, in their order, with filler images of each digit inserted only after that
digit's 500th image (as in the official file, where other images sit between them too).
Fillers are the same digit's images shifted by a pixel or two, so that training on all 60,000
behaves like training on real digits (what the cost measurement of `USE_ALL_TRAINING_IMAGES`
needs).

    python tests/full_size_mnist.py OUT_DIR     # OUT_DIR/MNIST/raw/ from $MNIST_ROOT's files
"""

import os
import sys
from pathlib import Path

import torch

# Images per digit in the official 60,000-image training split.
OFFICIAL_TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
TRAIN_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
TEST_FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def surround_with_fillers(
    images: torch.Tensor, digits: torch.Tensor, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return a `(60000, 28, 28)` split whose first `len(images) // 10` images of each digit are
    `images`, in order. `images` must hold the same number of images of every digit."""
    per_digit = len(digits) // 10
    if torch.bincount(digits, minlength=10).tolist() != [per_digit] * 10:
        raise ValueError("the small split must hold the same number of images of every digit")
    generator = torch.Generator().manual_seed(seed)
    n_small = len(digits)
    filler_images, filler_digits, filler_slots = [], [], []
    for digit, official_count in enumerate(OFFICIAL_TRAIN_COUNTS):
        own_rows = (digits == digit).nonzero().squeeze(1)
        n_fillers = official_count - per_digit
        sources = own_rows[torch.randint(per_digit, (n_fillers,), generator=generator)]
        shifts = torch.randint(-2, 3, (n_fillers, 2), generator=generator).tolist()
        filler_images += [
            torch.roll(images[row], shifts=shift, dims=(0, 1))
            for row, shift in zip(sources.tolist(), shifts)
        ]
        filler_digits.append(torch.full((n_fillers,), digit, dtype=digits.dtype))
        # A filler in slot k goes right after the small split's image k: never before this
        # digit's last image there.
        last = own_rows[-1].item()
        filler_slots.append(torch.randint(last, n_small, (n_fillers,), generator=generator))
    slots = torch.cat([torch.arange(n_small), torch.cat(filler_slots)])
    # Sort by slot + fraction: the small split's image k (fraction 0) comes before the fillers
    # of slot k, whose random fractions interleave the digits.
    fraction = torch.cat(
        [torch.zeros(n_small), torch.rand(len(slots) - n_small, generator=generator) * 0.9 + 0.05]
    )
    order = torch.argsort(slots.to(torch.float64) + fraction.to(torch.float64))
    all_images = torch.cat([images, torch.stack(filler_images)])[order]
    all_digits = torch.cat([digits, torch.cat(filler_digits)])[order]
    return all_images, all_digits


def write_idx(raw: Path, prefix: str, images: torch.Tensor, digits: torch.Tensor) -> None:
    """Write images and labels as MNIST's IDX files `<prefix>-images-idx3-ubyte` and so on."""
    count = len(digits).to_bytes(4, "big")
    side = (28).to_bytes(4, "big")
    (raw / f"{prefix}-images-idx3-ubyte").write_bytes(
        (2051).to_bytes(4, "big") + count + side + side + images.numpy().tobytes()
    )
    (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(
        (2049).to_bytes(4, "big") + count + digits.to(torch.uint8).numpy().tobytes()
    )


def build_full_size_root(source_root: Path, out_root: Path) -> Path:
    """Write `out_root/MNIST/raw/` with a full-size training split built around the lecture's
    5,000 images of the split under `source_root`, and links to its test files. Never writes
    into `source_root`."""
    from helpers.data import first_images_per_digit, load_mnist

    images, digits = load_mnist("train", root=source_root)
    lecture_rows = first_images_per_digit(digits, per_digit=500)  # all of a 5,000-image copy
    full_images, full_digits = surround_with_fillers(images[lecture_rows], digits[lecture_rows])
    raw = Path(out_root) / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    write_idx(raw, "train", full_images, full_digits)
    for name in TEST_FILES:
        target = raw / name
        if not target.exists():
            os.symlink((Path(source_root) / "MNIST" / "raw" / name).resolve(), target)
    return Path(out_root)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.environ.get("MNIST_ROOT"):
        sys.exit("usage: MNIST_ROOT=<small split> python tests/full_size_mnist.py OUT_DIR")
    root = build_full_size_root(Path(os.environ["MNIST_ROOT"]), Path(sys.argv[1]))
    print(f"wrote a 60,000-image training split under {root / 'MNIST' / 'raw'}")
