"""The course's exercises: the registry of their folders, and each one's rubric (weights, cases, answers)."""
