"""What a student handed in (files, folders, notebooks) turned into source text; nothing here runs it or imports torch."""
