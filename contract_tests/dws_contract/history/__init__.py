"""The contract over time: one JSON line per run (`--history FILE`) and the page drawn from them."""
