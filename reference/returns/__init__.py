"""The returns exercise, instructor side: the three reference functions and their mistake catalogs."""

from grader.author import Solution
from reference.returns.mistakes import GAE, RETURN, REWARD_TO_GO
from reference.returns.solution import discounted_return, discounted_reward_to_go, gae_advantages

SOLUTIONS = {
    "discounted_return": Solution(discounted_return, RETURN),
    "discounted_reward_to_go": Solution(discounted_reward_to_go, REWARD_TO_GO, learning="reference.returns.cartpole"),
    "gae_advantages": Solution(gae_advantages, GAE),
}
