"""Hostile: ignore and block SIGTERM, SIGINT, SIGHUP (and friends) and loop forever in pseudo_loss.

Tries: survive a polite stop so the grader hangs waiting for an answer.
Must happen: killed within the call timeout (SIGKILL cannot be ignored),
score 0 with a "no answer within" message, the grader survives.
"""
import signal

_CATCHABLE = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
              signal.SIGUSR2, signal.SIGALRM, signal.SIGXCPU, signal.SIGPIPE)


def pseudo_loss(logits, actions, q_values):
    for number in _CATCHABLE:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, _CATCHABLE)
    while True:
        pass
