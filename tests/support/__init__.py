"""Helpers shared by more than one test directory (not tests themselves)."""
