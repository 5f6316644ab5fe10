"""An autograder for policy-gradient exercises: the engine; each exercise is assignment/NAME/ and reference/NAME/."""

import os

# One thread per process: Gradescope gives half a CPU, and extra BLAS/OpenMP
# threads only fight over it (and make results depend on the machine).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
