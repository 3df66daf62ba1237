"""What every request body shares: unknown fields are refused, and the docs show examples."""

from typing import Any

from pydantic import ConfigDict


def body_config(*examples: dict[str, Any]) -> ConfigDict:
    """A request body's ``model_config``: unknown fields refused, ``examples`` in the docs."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})
