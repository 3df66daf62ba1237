"""A real S3-compatible server for the object-storage tests (S3Proxy, started once per run)
and a fresh bucket per test, with a boto3 client that looks into it from outside the service."""

import os
import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config

CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from devkit.localinfra.s3proxy import s3_server as make_server

    try:
        server = make_server(data_dir=tmp_path_factory.mktemp("s3"))
        server.start()
    except Exception as exc:  # no java, no maven, no network to Maven Central...
        reason = f"could not start a local S3 server: {exc}"
        if CI:
            pytest.fail(f"{reason} (CI=true: object-storage tests must run)", pytrace=False)
        pytest.skip(f"OBJECT-STORAGE TESTS NOT RUN: {reason}")
    yield server
    server.stop()


class Bucket:
    def __init__(self, server, name: str) -> None:
        self.name = name
        self.client = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name=server.region,
            aws_access_key_id=server.access_key,
            aws_secret_access_key=server.secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        self.settings = {
            "attachment_store": "s3",
            "s3_endpoint_url": server.endpoint_url,
            "s3_region": server.region,
            "s3_bucket": name,
            "s3_access_key_id": server.access_key,
            "s3_secret_access_key": server.secret_key,
        }

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> tuple[bytes, str]:
        found = self.client.get_object(Bucket=self.name, Key=key)
        return found["Body"].read(), found["ContentType"]


@pytest.fixture
def bucket(s3_server) -> Bucket:
    created = Bucket(s3_server, f"att-{uuid.uuid4().hex[:12]}")
    created.client.create_bucket(Bucket=created.name)
    return created
