"""The phases of a run, in the order the runner calls them: preflight, auth, unknown ids, methods,
odd queries, pagination, engine; and their toolkit: `probing` (one hand-built request, checked), `confirm`
(a failure sent again before it is filed) and `gone` (a server that died on a request)."""
