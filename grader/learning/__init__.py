"""The learning check: a policy trained in the grader with gradients from the submission."""
