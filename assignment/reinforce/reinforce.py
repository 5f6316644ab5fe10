"""REINFORCE, the policy-gradient homework: your implementations go in the four functions below.

The returns of a trajectory (discounted_return, discounted_reward_to_go), the advantages of a
batch (gae_advantages) and the pseudo-loss whose gradient is the policy gradient (pseudo_loss).
Check them with `python selfcheck.py` (public cases, runs in seconds). The grader also uses
hidden cases and trains CartPole-v1 policies with your reward-to-go and with your loss; each
function is graded on its own, with its own points.
"""
