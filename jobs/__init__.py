"""RQ job functions: ids in, idempotent (state lives in a DB row)."""
