"""Loaded by the schemathesis CLI (SCHEMATHESIS_HOOKS) in test_schemathesis_http.py: tus chunks
(rights-api's resumable photo uploads) are raw bytes under tus's own media type."""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
