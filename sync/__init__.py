"""Use cases that move data between the remotes and the ledger, incrementally and idempotently."""
