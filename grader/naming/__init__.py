"""Naming the mistake: probes, the catalog's suspects, the observations and the evidence a student reads."""
