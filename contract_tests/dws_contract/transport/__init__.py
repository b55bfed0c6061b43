"""How requests leave the suite: one session with the send-time hooks, signing and waiting; it emits what
it saw (`events`) and knows nothing of checks or verdicts."""
