"""One module per command: grade one submission, Gradescope's entry point, the student self-check."""
