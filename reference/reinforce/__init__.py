"""The REINFORCE homework, instructor side: its parts are the returns and discrete exercises',
graded with their references, catalogs and learning checks (grader.course.rubric.solution); the
loss's part adds the check that trains with the student's reward-to-go and loss together."""

import dataclasses

from reference.discrete import SOLUTIONS as DISCRETE

SOLUTIONS = {
    "pseudo_loss": dataclasses.replace(
        DISCRETE["pseudo_loss"],
        learning={"learning": "reference.discrete.cartpole", "together": "reference.reinforce.together"},
    )
}
