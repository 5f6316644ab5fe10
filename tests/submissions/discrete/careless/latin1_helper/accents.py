#!/usr/bin/env python
# vim: set fileencoding=latin-1 :
"""Who wrote it, in Latin-1: the coding line is on line 2, after a shebang."""
AUTHOR = "José"
