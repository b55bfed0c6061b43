"""The contract suite: checks any server against openapi.yaml (see dws_contract.cli)."""
