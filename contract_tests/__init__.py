"""The contract suite: checks any server against openapi.yaml (see contract_tests.cli)."""
