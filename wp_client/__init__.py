"""HTTP only: one session per remote, timeouts, retries, pagination, typed errors."""
