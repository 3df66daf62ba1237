import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.conftest import CI


@pytest.fixture
async def cluster(tmp_path) -> AsyncIterator[object]:
    """Three KRaft nodes (broker and controller each) from the Maven Central jars:
    replication factor 3 for the internal topics, min.insync.replicas 2."""
    from devkit.localinfra.kafka import kafka_cluster

    try:
        cluster = await asyncio.to_thread(kafka_cluster, 3, data_dir=tmp_path / "cluster")
        await asyncio.to_thread(cluster.start, 120)
    except Exception as exc:  # no java, no maven, no network to Maven Central...
        reason = f"could not start a three-broker Kafka cluster: {exc}"
        if CI:
            pytest.fail(f"{reason} (CI=true: the cluster test must run)", pytrace=False)
        pytest.skip(f"CLUSTER TEST NOT RUN: {reason}")
    try:
        yield cluster
    finally:
        await asyncio.to_thread(cluster.stop)
