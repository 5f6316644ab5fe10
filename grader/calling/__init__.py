"""One call of an exercise's function and its validated answer, in this process or through an oracle: numpy and torch only."""
