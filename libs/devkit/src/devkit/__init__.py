"""What only development needs; never installed into a service image (the root project's dev
group): embedded PostgreSQL and a local Kafka node, the in-process broker, ``mineadmin dev``
and ``mineadmin token``, and running a service in-process for tests and benchmarks."""
