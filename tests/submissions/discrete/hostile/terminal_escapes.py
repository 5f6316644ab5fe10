"""Hostile: print terminal escape sequences that repaint a TA's terminal with a fake report.

Tries: `python -m grader grade` prints the student's output inside the
report; ANSI/OSC sequences (clear screen, cursor home, carriage returns,
window title, hidden text) can make the terminal show "[PASS]" everywhere
and a full score over the real report, while the loss is always zero.
Must happen: the score is the zero loss's, and neither results.json nor the
terminal rendering (results.to_text) contains a raw escape or carriage return.
"""
import sys

import torch

FAKE = "".join(f"[PASS] {n}. check {n}  (10/10)\n" for n in range(1, 8)) + "Score: 100 / 100\nAll checks passed.\n"
sys.stdout.write("\x1b]0;grader: all passed\x07")  # window title
sys.stdout.write("\x1b[2J\x1b[H" + FAKE)           # clear screen, home, fake report
sys.stdout.write("\x1b[8m")                         # hide whatever the grader prints next
sys.stdout.write("real report hidden\r" + " " * 40 + "\n")
sys.stdout.flush()


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
