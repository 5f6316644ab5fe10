"""What an exercise is (parts, declared checks), its cases, the graded checks and the assessment of one part."""
