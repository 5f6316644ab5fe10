"""Hostile: ignore SIGTERM, SIGINT, SIGHUP and loop forever while being imported.

Tries: hang the grader before the first check.
Must happen: killed at the import timeout, score 0 with a "no answer within" message, the grader survives.
"""
import signal

for _number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGXCPU):
    signal.signal(_number, signal.SIG_IGN)

while True:
    pass


def pseudo_loss(logits, actions, q_values):
    return logits.sum() * 0
