"""Checks that catch a broken procedure before it ever runs, each with a stable rule code."""
