"""Grading a class: entries and export metadata, the worker pool, progress and resumption."""
