"""Plotting helpers the student kept beside the solution (no pseudo_loss here)."""


def smooth(values, weight=0.9):
    smoothed, last = [], values[0]
    for value in values:
        last = weight * last + (1 - weight) * value
        smoothed.append(last)
    return smoothed
