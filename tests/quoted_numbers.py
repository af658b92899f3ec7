"""Numbers a notebook's text may quote that none of its outputs or code shows, each with its
source (read by tests/test_numbers_in_text.py). Keep this short: a measured number belongs in
an output, or in the text through code, never here."""

QUOTED_NUMBERS = {
    "01_polynomial_gradient": {
        "2.25": "1.5², in a comment's arithmetic for f'(1.5)",
    },
    "02_graph_building": {},
    "03_backward_pass": {},
    "04_least_squares_memory": {
        "512": "PyTorch's CUDA caching allocator rounds every block up to a multiple of 512 bytes "
        "(helpers.memory.CUDA_BLOCK_BYTES, checked by tests/test_memory.py)",
    },
    "05_mnist_models": {
        "60,000": "MNIST's official training split, as the slide says",
        "2018": "the year of Bottou, Curtis & Nocedal's review, cited for averaging",
        "20": "the top of section 4's scores, torch.arange(-12_000, 2_001) / 100",
    },
}
