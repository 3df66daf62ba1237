from pydantic import Field
from servicekit.settings import Rate, ServiceSettings, service_config


class GreenmineSettings(ServiceSettings):
    model_config = service_config("GREENMINE_")

    complaint_rate_limit: int = Field(
        5, ge=1, description="Complaints and objections one client address may file per window."
    )
    complaint_rate_window_minutes: int = Field(60, ge=1, le=1440)
    complaint_request_rate: Rate = Field(
        "10/minute",
        description="Complaint and objection requests one client may send, answered or not, "
        "counted across all replicas (in the database) before any other work is done.",
    )
    report_max_bytes: int = Field(
        20 * 1_048_576,
        ge=1,
        description="Largest evaluation report accepted (raise MAX_BODY_BYTES to match).",
    )
