"""Lesson code generated from the notebooks (tools/lesson_modules.py): the one home of each
model, training function and gradient route is its notebook; this package is its importable copy
for the seed study, the benchmarks and the tests."""
