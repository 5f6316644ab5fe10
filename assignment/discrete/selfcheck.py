"""Check your pseudo_loss on the public cases: `python selfcheck.py [path/to/pseudo_loss.py]`.

Runs your function on this computer, compares its loss and gradient with the
expected ones, and names the mistake when it recognises one. Needs torch and numpy.
"""

import sys

from grader.verbs.selfcheck import main

raise SystemExit(main(sys.argv[1:]))
