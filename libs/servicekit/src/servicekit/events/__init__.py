"""Events: CloudEvents envelope, transactional outbox and its relay, idempotent consumers."""
