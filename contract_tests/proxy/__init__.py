"""`dws-contract proxy`: a reverse proxy that checks real traffic against the contract, in both directions.

Every exchange is forwarded unchanged (`forwarding`); afterwards, off the request's path, it is checked
(`exchange_checks` for one request and its response, `sequences` for what a client does across pages),
and the findings go into the suite's ledger and reports (`monitor`, `report`). `server` runs it all.
"""
