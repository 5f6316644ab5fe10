"""The REINFORCE homework, instructor side: its parts are the returns and discrete exercises',
graded with their references, catalogs and learning checks (grader.course.rubric.solution)."""

SOLUTIONS: dict = {}
