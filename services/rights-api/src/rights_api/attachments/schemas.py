"""What the API says about an attachment."""

from datetime import datetime

from pydantic import BaseModel, Field

from rights_api.attachments.models import Attachment


class AttachmentPublic(BaseModel):
    sha256: str = Field(
        description="SHA-256 of the content; the attachment's identity 内容哈希",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    media_type: str = Field(
        description="Type found in the bytes themselves", examples=["image/jpeg"]
    )
    size_bytes: int = Field(examples=[2483211])
    purpose: str | None = Field(None, examples=["plan_map", "photo"])
    attached_at: datetime
    attached_by: str


def attachment_public(link, attachment: Attachment, purpose: str | None) -> AttachmentPublic:
    """A link row (``attached_at``, ``attached_by``) with its stored file."""
    return AttachmentPublic(
        sha256=attachment.sha256,
        media_type=attachment.media_type,
        size_bytes=attachment.size_bytes,
        purpose=purpose,
        attached_at=link.attached_at,
        attached_by=link.attached_by,
    )
