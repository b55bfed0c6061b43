"""How requests leave the suite: one session with the send-time hooks, signing, and the probing helper."""
