"""The contract's rules that no schema keyword states, each with one home: the mock, the suite (its checks,
coverage and phases), the proxy and the client import them from here, so a rule cannot mean one thing to
the server and another to the tools that judge it.

Nothing here imports the mock, the suite, the proxy or the client (tests/rules/test_architecture.py
parses the imports): `integers` (what an integer looks like in a query), `parameters` (a request's path
and query against the spec), `wrong_method` (the answer to another method on the path), `records` (what
identifies a record).
"""
