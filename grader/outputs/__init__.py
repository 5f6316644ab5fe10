"""What grading writes: results.json, the terminal text, the class table and CSV, the report."""
