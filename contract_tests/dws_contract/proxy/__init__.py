"""`dws-contract proxy`: a reverse proxy that checks real traffic against the contract, in both directions.

Every exchange is forwarded unchanged (`relay`, with `wire` for the bytes the proxy writes itself);
afterwards, off the request's path, it is checked (`exchange_checks` for one request and its response,
`memo` for repeated ones, `sequences` for what a client does across pages), and the findings go into the
suite's ledger and reports (`monitor`, `checking`, `report`). `server` runs it all.
"""
