"""REINFORCE as the policy-gradient homework hands it in: the returns exercise's three functions
and the discrete exercise's pseudo_loss in one file or notebook, each part graded as its own
exercise grades it (its cases, checks, points and learning check). This module is public."""

from grader.author import Exercise

EXERCISE = Exercise(components=("returns", "discrete"), stub="reinforce.py")
