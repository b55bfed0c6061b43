"""`make compat BASE=<git ref>`: prove a change to openapi.yaml compatible by running both sides of it.

Two runs and one static comparison, joined per change (docs/changing-the-api.md):
the contract at BASE (its suite rules and a client generated from it) against the new server, today's
contract against the server of BASE, and the rating of `make diff` (scripts/spec_diff.py).
"""
