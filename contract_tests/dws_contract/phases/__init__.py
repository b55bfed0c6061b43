"""The phases of a run, in the order the runner calls them: preflight, auth, unknown ids, methods,
odd queries, pagination, engine."""
