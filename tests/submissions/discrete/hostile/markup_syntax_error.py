"""Hostile: a syntax error on a line of markup and backticks.

Tries: the grader quotes the offending source line in a code span; its backticks
close the span early and the rest (an <img onerror>, a <script>, a fake regrade
link, emphasis) renders live on Gradescope.
Must happen: "syntax error in ... line 11", the line shown whole as text, nothing
rendered from it.
"""


def pseudo_loss(logits, actions, q_values) ``` <img src=x onerror=alert(1)> [Regrade here](http://regrade.example/) *bold* _em_ <script>alert(1)</script> `` ` ``
    return 0
