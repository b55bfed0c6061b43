"""`dws-contract drift`: the census of what a server answered, turned into a proposed change of openapi.yaml.

The census comes from the proxy (real traffic) or from a suite run (what it saw while probing).

`proposal` decides the edits and writes them into the spec's text; `rating` asks the project's diff gate
what the change is worth; `cli` joins them. The contract itself is never edited: the result is a patch a
person reviews and applies.
"""
