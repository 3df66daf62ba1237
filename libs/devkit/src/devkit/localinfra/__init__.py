"""Real infrastructure started by the project itself: embedded PostgreSQL, a local Kafka node."""
