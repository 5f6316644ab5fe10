"""The REINFORCE homework, instructor side: its parts are the returns and discrete exercises',
graded with their references and catalogs (grader.course.rubric.solution). The loss's learning
checks, its own and the one of the reward-to-go and loss together, train as the reward-to-go's
does (reference.reinforce.cartpole)."""

import dataclasses

from reference.discrete import SOLUTIONS as DISCRETE

SOLUTIONS = {"pseudo_loss": dataclasses.replace(DISCRETE["pseudo_loss"], learning="reference.reinforce.cartpole")}
