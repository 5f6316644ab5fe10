"""Every seed's episodes in one CartPoleVectorEnv, each seed at its own pace (see cartpole.py).

Each playing seed owns `num_envs` adjacent columns of the env. When the last of
its episodes ends (or they have earned a pass), its iteration is over: it
updates its network and its columns restart at once, while the other seeds'
episodes play on. A seed that stops playing (its run ended, or it waits) takes
its columns out: the others move to a narrower env as they are, mid-episode,
and a vector step costs a little less.

A loss that does not train would cost every seed's whole budget, one oracle call
an iteration each, where one seed's failure already fails the check. So after a
few iterations the seeds after the first go on only while some seed's best
return shows that the loss trains (a bar that rises with the iterations,
seed.CartPoleConfig.promising_return); else they wait, and a loss that never shows it
fails on the first seed alone. Waiting changes no run: each depends on its own
seed only.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, List, Tuple, cast

import gymnasium as gym
import numpy as np

from grader.author import DECIDE_EVERY, Learning, LossGrad
from reference.discrete.seed import Seed

if TYPE_CHECKING:
    from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv


NOISE_STEPS = 64  # steps of action noise drawn at a time: most episodes end long before 500
_RINGS = (
    ("obs", (4,), np.float32),
    ("action", (), np.int64),
    ("reward", (), np.float32),
    ("alive", (), bool),
    ("noise", (), np.float32),
)


class Lockstep:
    """The playing seeds' episodes in one vector env. Rings of the last `max_episode_steps` steps
    hold what each one's current iteration has played so far (an episode is never longer)."""

    def __init__(self, env_id: str, seeds: List[Seed]):
        self.env_id, self.seeds = env_id, list(seeds)  # the seeds whose run has not ended
        self.playing = list(seeds)  # those with columns, in column order; the others wait
        self.env = _make_env(env_id, seeds[0].config.num_envs * len(seeds))
        self.ring, width, hidden = self.env.max_episode_steps, self.env.num_envs, seeds[0].config.hidden_size
        self.rings = {name: np.zeros((self.ring, width, *shape), dtype) for name, shape, dtype in _RINGS}
        self.alive = np.zeros(width, bool)
        self.step = 0
        self.due = 0.0  # the next step at which a playing seed needs noise or a look at its returns
        # Each playing seed's first layer and the weights of its logit margin (logit 1 - logit 0),
        # stacked: one matmul runs every seed's policy, into `hidden` and `margin`.
        shapes = ((4, hidden), (1, hidden), (hidden, 1))
        self.w1, self.b1, self.w_margin = (np.zeros((len(seeds), *shape), np.float32) for shape in shapes)
        self.hidden = np.zeros((len(seeds), seeds[0].config.num_envs, hidden), np.float32)
        self.margin = np.zeros((len(seeds), seeds[0].config.num_envs, 1), np.float32)

    def run(self, loss_grad: LossGrad, start: float, stop_early: bool) -> List[Learning]:
        # The env needs one reset; each seed then restarts its own columns (the seed here only
        # fixes the auto-resets of columns between iterations, which nothing reads).
        obs, _ = self.env.reset(seed=0)
        for seed in self.playing:
            self._begin(seed, obs)
        self._draw_noise()
        ended: List[Learning] = []
        best = 0.0  # the best mean return any seed's iteration has reached
        while self.seeds:
            obs, any_ended = self._play(obs)
            # Most steps end an episode somewhere but no iteration: one look at `alive` tells.
            if self.step < self.due and not (any_ended and self._a_seed_is_done()):
                continue
            over = [seed for seed in self.playing if self._iteration_over(seed, any_ended)]
            for seed in over:
                if seed.finish(self._batch(seed)):
                    ended.append(seed.learning(time.perf_counter() - start))
                    self.seeds.remove(seed)
                best = max(best, seed.returns[-1])
            if stop_early and any(not run.passed for run in ended):
                return ended
            going = [seed for seed in self.seeds if seed.pending is not None and seed.may_go_on(best)]
            if not going and all(seed.pending is not None for seed in self.seeds):
                going = list(self.seeds)  # nobody plays: waiting would be for ever
            for seed in going:
                if seed.update(loss_grad):  # no usable gradient: the run is over
                    ended.append(seed.learning(time.perf_counter() - start))
                    self.seeds.remove(seed)
            if stop_early and any(not run.passed for run in ended):
                return ended
            if over:
                obs = self._relayout([seed for seed in self.seeds if seed.pending is None], obs)
                for seed in going:
                    if seed in self.playing:
                        self._begin(seed, obs)
                self._draw_noise()
            elif self.step >= self.due:
                self._draw_noise()
        return ended

    def _a_seed_is_done(self) -> bool:
        """Some playing seed's episodes have all ended."""
        return not self.alive.reshape(len(self.playing), -1).any(axis=1).all()

    def _iteration_over(self, seed: Seed, any_ended: bool) -> bool:
        """Every episode of seed's iteration has ended, or they have earned a pass already. The
        latter is looked at every DECIDE_EVERY steps of the seed's own iteration, from the first
        step where it could be true (a return grows by at most 1 a step)."""
        columns = self._columns(seed)
        if any_ended and not self.alive[columns].any():
            return True
        if self.step < seed.decide_at:
            return False
        seed.decide_at += DECIDE_EVERY
        slots = self._slots(seed)
        earned = (self.rings["reward"][slots, columns] * self.rings["alive"][slots, columns]).sum()
        return float(earned) / seed.config.num_envs >= seed.needed()

    def _play(self, obs: np.ndarray) -> Tuple[np.ndarray, bool]:
        """One step of every column; returns the next observations and whether an episode ended."""
        slot, rings = self.step % self.ring, self.rings
        rings["obs"][slot], rings["alive"][slot] = obs, self.alive
        hidden = np.matmul(obs.reshape(len(self.playing), -1, 4), self.w1, out=self.hidden)
        np.tanh(np.add(hidden, self.b1, out=hidden), out=hidden)
        margin = np.matmul(hidden, self.w_margin, out=self.margin).reshape(-1)
        # Gumbel-max with two actions: argmax(logits + Gumbel noise) = [margin + Logistic noise > 0],
        # a sample from softmax(logits). The noise ring holds the noise less the margin's bias.
        actions = np.greater(margin, rings["noise"][slot], out=rings["action"][slot])
        # The env auto-resets a finished column on its next step; `alive` masks those steps out.
        obs, reward, terminated, truncated, _ = self.env.step(actions)
        rings["reward"][slot] = reward
        ended = np.logical_or(terminated, truncated, out=terminated)
        self.step += 1
        if not ended.any():
            return obs, False
        self.alive[ended] = False
        return obs, True

    def _begin(self, seed: Seed, obs: np.ndarray) -> None:
        """Start seed's next iteration in its columns: its new weights, fresh episodes."""
        k, policy, columns = self.playing.index(seed), seed.policy, self._columns(seed)
        self.w1[k], self.b1[k] = policy.w1.T, policy.b1
        self.w_margin[k, :, 0] = policy.w2[1] - policy.w2[0]
        states = seed.starts.uniform(self.env.low, self.env.high, size=(4, seed.config.num_envs))
        _place(self.env, columns, states, 0)
        obs[columns] = states.T
        self.alive[columns] = True
        seed.began, seed.noise_drawn = self.step, 0
        # The iteration's mean return grows by at most 1 a step: no pass to look for before this.
        seed.decide_at = self.step + max(np.ceil(seed.needed()), 1)

    def _draw_noise(self) -> None:
        """Draw the next NOISE_STEPS steps of action noise of each playing seed whose drawn noise
        runs out now (a seed's stream goes into its own steps in order, whenever that happens);
        then find the next step that needs a look."""
        for seed in self.playing:
            if seed.began + seed.noise_drawn == self.step:
                slots = np.arange(self.step, self.step + NOISE_STEPS) % self.ring
                # -Logistic noise is Logistic noise: the margin beats it with probability sigmoid(margin).
                noise = seed.noise.logistic(size=(NOISE_STEPS, seed.config.num_envs))
                self.rings["noise"][slots, self._columns(seed)] = noise - (seed.policy.b2[1] - seed.policy.b2[0])
                seed.noise_drawn += NOISE_STEPS
        self.due = min((min(seed.began + seed.noise_drawn, seed.decide_at) for seed in self.playing), default=0.0)

    def _relayout(self, playing: List[Seed], obs: np.ndarray) -> np.ndarray:
        """Give columns to exactly these seeds, in this order (returns the new observations): the
        ones that played on keep their episodes as they are, in a new env of the new width; the
        others get theirs from _begin."""
        if playing == self.playing or not playing:
            self.playing = playing
            return obs
        stay = [(k, self.playing.index(seed)) for k, seed in enumerate(playing) if seed in self.playing]
        width = playing[0].config.num_envs
        new = np.array([k * width + i for k, _ in stay for i in range(width)], int)
        old = np.array([j * width + i for _, j in stay for i in range(width)], int)
        old_env, self.env = self.env, _make_env(self.env_id, width * len(playing))
        self.env.reset(seed=0)
        _place(self.env, new, cast(np.ndarray, old_env.state)[:, old], old_env.steps[old])
        old_env.close()
        columns = len(playing) * width
        for name, ring in self.rings.items():
            self.rings[name] = _moved(ring, old, new, columns, axis=1)
        self.alive, obs = _moved(self.alive, old, new, columns), _moved(obs, old, new, columns)
        rows = [k for k, _ in stay], [j for _, j in stay]
        self.w1, self.b1, self.w_margin = (
            _moved(stack, np.array(rows[1], int), np.array(rows[0], int), len(playing))
            for stack in (self.w1, self.b1, self.w_margin)
        )
        self.hidden = np.zeros((len(playing), *self.hidden.shape[1:]), np.float32)
        self.margin = np.zeros((len(playing), *self.margin.shape[1:]), np.float32)
        self.playing = playing
        return obs

    def _columns(self, seed: Seed) -> slice:
        width = seed.config.num_envs
        k = self.playing.index(seed)
        return slice(k * width, (k + 1) * width)

    def _slots(self, seed: Seed) -> np.ndarray:
        """Where the rings hold seed's current iteration: its steps' slots."""
        return np.arange(seed.began, self.step) % self.ring

    def _batch(self, seed: Seed) -> tuple:
        """The iteration seed has just finished: obs (N, 4), actions (N,), rewards and alive (T, E)
        (rewards after an episode's end are 0), returns (E,)."""
        slots, columns = self._slots(seed), self._columns(seed)
        alive = self.rings["alive"][slots, columns]
        rewards = self.rings["reward"][slots, columns] * alive
        obs, actions = self.rings["obs"][slots, columns][alive], self.rings["action"][slots, columns][alive]
        return obs, actions, rewards, alive, rewards.sum(axis=0)


def _moved(array: np.ndarray, old: np.ndarray, new: np.ndarray, size: int, axis: int = 0) -> np.ndarray:
    """A zeroed copy of array, `size` long along axis, with the entries at `old` moved to `new`."""
    shape = list(array.shape)
    shape[axis] = size
    out = np.zeros(shape, array.dtype)
    index = (slice(None),) * axis
    out[index + (new,)] = array[index + (old,)]
    return out


def _place(env: CartPoleVectorEnv, columns, states: np.ndarray, steps) -> None:
    """Put these columns at states (4, columns), `steps` into their episodes: what env.reset does,
    for some columns only (CartPoleVectorEnv resets all or none). The physics stays gymnasium's."""
    cast(np.ndarray, env.state)[:, columns], env.steps[columns], env.prev_done[columns] = states, steps, False


def _make_env(env_id: str, width: int) -> CartPoleVectorEnv:
    # The vector entry point makes a CartPoleVectorEnv (no wrappers): it has max_episode_steps.
    return cast("CartPoleVectorEnv", gym.make_vec(env_id, num_envs=width, vectorization_mode="vector_entry_point"))
