from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from servicekit.settings import ServiceSettings, service_config


class RightsSettings(ServiceSettings):
    model_config = service_config("RIGHTS_")

    # Attachments: inspection photos, filing plan maps and reports (operations, parts 5 and 6)
    attachment_store: Literal["local", "s3"] = Field(
        "local",
        description="Where attachment bytes are kept: `local` (files under attachments_dir, "
        "the `make dev` default) or `s3` (an S3-compatible bucket, for production).",
    )
    attachments_dir: Path = Field(
        Path(".data/attachments/rights"),
        description="With the local store: one file per SHA-256 content hash here (give every "
        "replica the same shared volume). With either store: unfinished resumable photo "
        "uploads (`.uploads/`).",
    )
    s3_endpoint_url: str | None = Field(
        None,
        description="The S3-compatible endpoint, e.g. `https://s3.bureau.example:9000`; "
        "unset: AWS's own for s3_region.",
    )
    s3_bucket: str = Field(
        "", description="Bucket of the attachments (created by the operator); required for s3."
    )
    s3_region: str = Field("us-east-1", description="Region the requests are signed for.")
    s3_key_prefix: str = Field(
        "attachments/",
        description="Prefix of every object key; an attachment is `<prefix><sha256>`.",
    )
    s3_access_key_id: str | None = Field(
        None, description="Access key; unset: boto3's own chain (environment, instance role)."
    )
    s3_secret_access_key: SecretStr | None = Field(None, description="Secret of the access key.")
    attachment_max_bytes: int = Field(
        10 * 1024 * 1024, gt=0, description="Largest single attachment (photo, plan map, report)."
    )
    # a multipart upload carries one file plus a little form overhead
    max_upload_bytes: int = Field(
        10 * 1024 * 1024 + 64 * 1024, description="Ceiling for multipart/form-data bodies."
    )
    mining_plan_due: str = Field(
        "12-31",
        pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
        description="MM-DD in the filing year by which next year's mining plan 年度采掘计划 is due "
        "(moved to the next working day when it is a holiday).",
    )
    reserve_report_due: str = Field(
        "12-31",
        pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
        description="MM-DD in the filing year by which the year's reserve verification "
        "年度资源储量动态核查 is due.",
    )
    # Expiry (issue 17, part B): a licence past valid_to and not renewed becomes `expired`
    expiry_grace_days: int = Field(
        30,
        ge=0,
        le=366,
        description="Days after a mining licence's last valid day (local date) before the daily "
        "right_expiry job marks it expired when no renewal application is under review. By law "
        "the licence lapses at the end of its term; the grace lets renewals decided on paper "
        "reach the register first. 0: the day after valid_to.",
    )
    conformance_rectify_days: int = Field(
        180,
        gt=0,
        description="Days a compliance order opened from a conformance finding with action "
        "`restrict` gives the holder to rectify or consolidate 限期整改或整合 (第三章第四节).",
    )
    conformance_exit_days: int = Field(
        365,
        gt=0,
        description="Days a compliance order opened from a conformance finding with action "
        "`exit` gives a mine below the minimum scale to exit 限期退出 (第四章第二节).",
    )
    # Utilisation (issue 18, part D): the bureau's annual reserve verification of a year Y is due
    # on this MM-DD of Y+1 (the plan gives no date: configuration)
    reserve_check_due: str = Field(
        "03-31",
        pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
        description="MM-DD in the year after year Y by which the bureau records its annual "
        "reserve verification 年度资源储量动态核查 of Y (moved to the next working day when it "
        "is a holiday). The plan sets no date: this is the bureau's configuration.",
    )
    # Offline sync and resumable photo uploads (issue 20, part 4)
    sync_inspection_days: int = Field(
        90,
        gt=0,
        description="Days of inspection records (by inspected_at) an inspection app receives in "
        "`GET /sync`; older records leave the app's set (a tombstone).",
    )
    sync_token_days: int = Field(
        90,
        gt=0,
        description="Days a sync token stays usable after its last use; an older `since` is "
        "refused (422) and the app syncs in full.",
    )
    upload_max_age_hours: int = Field(
        24,
        gt=0,
        description="Hours after its last byte an unfinished resumable photo upload (tus) is "
        "purged by the stale_photo_uploads job, with the bytes it holds.",
    )

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Self:
        if self.attachment_store == "s3" and not self.s3_bucket:
            raise ValueError("attachment_store s3 needs s3_bucket")
        return self
