"""The rules. Plain functions with plain arguments; no Flask imports here."""
