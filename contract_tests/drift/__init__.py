"""`dws-contract drift`: the proxy's census of real traffic, turned into a proposed change of openapi.yaml.

`proposal` decides the edits and writes them into the spec's text; `rating` asks the project's diff gate
what the change is worth; `cli` joins them. The contract itself is never edited: the result is a patch a
person reviews and applies.
"""
