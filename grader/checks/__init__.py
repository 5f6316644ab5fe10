"""Cases, the graded checks, diagnosis and assessment of one loss function: numpy and torch only, shipped in the student handout."""
