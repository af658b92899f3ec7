"""Numbers a notebook's text may quote that none of its outputs or code shows, each with its
source (read by tests/test_numbers_in_text.py). Keep this short: a measured number belongs in
an output, or in the text through code, never here."""

# Notebook 05's thresholds and the margins they leave come from ten seeds, which the notebook
# cannot run itself: benchmarks/seed_study.py writes them to benchmarks/seed_study.json.
SEED_STUDY = "benchmarks/seed_study.json: the lowest of ten seeds, or its margin to a floor"

QUOTED_NUMBERS = {
    "01_polynomial_gradient": {
        "2.25": "1.5², in a comment's arithmetic for f'(1.5)",
        "3.1416": "π to five significant digits: what a printed value looks like",
        "27": "3 × f'(2) = 3 × 9: the reference solution's arithmetic",
    },
    "02_graph_building": {},
    "03_backward_pass": {},
    "04_least_squares_memory": {
        "512": "PyTorch's CUDA caching allocator rounds every block up to a multiple of 512 bytes "
        "(helpers.memory.CUDA_BLOCK_BYTES, checked by tests/test_memory.py)",
    },
    "05_mnist_models": {
        "60,000": "MNIST's official training split, as the slide says",
        "97.5%": "the quantile of Student's t that a two-sided test at the 5% level uses",
        "1.4": "peak memory of the full 60,000-image run, measured once (CONTRIBUTING, benchmarks)",
        "2.1": SEED_STUDY,
        "85.5": SEED_STUDY,
        "89.6%": SEED_STUDY,
        "86.0": SEED_STUDY,
        "90.2%": SEED_STUDY,
        "1.3": SEED_STUDY,
        "0.179": SEED_STUDY,
        "99.87%": SEED_STUDY,
        "0.37": SEED_STUDY,
        "0.0047": SEED_STUDY,
        "88.07%": SEED_STUDY,
        "0.57": SEED_STUDY,
        "90.91%": SEED_STUDY,
        "87.98%": SEED_STUDY,
        "0.98": SEED_STUDY,
        "91.94%": SEED_STUDY,
        "0.94": SEED_STUDY,
        "2.66": SEED_STUDY,
        "0.66": SEED_STUDY,
        "12.1": SEED_STUDY,
        "2.9": SEED_STUDY,
        "1.2": SEED_STUDY,
        "3.4%": SEED_STUDY,
        "0.26": SEED_STUDY,
        "0.0002": SEED_STUDY,
    },
}
