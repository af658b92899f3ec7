"""Shared plumbing for the lecture notebooks, one concern per module.

For the notebooks: `device` (cuda/mps/cpu, seeds), `paths`, `data` (MNIST as tensors),
`plotting`, `graphs` (walk and draw autograd graphs), `backward_viewer` (the backward pass,
step by step, in a viewer with buttons), `training` (batches, evaluation, history, progress
bar), `memory` and `timing` (measurements), `least_squares` (notebook 04's three gradients),
`exercises` (self-checks, expected errors), `seed_runs` (many seeds and optimisers of one
experiment trained at once, notebook 05).
Maintainer tooling (running notebooks, badges, the student edition) lives in `tools/`, apart.
"""
