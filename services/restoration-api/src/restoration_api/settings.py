from pydantic import Field
from servicekit.settings import ServiceSettings, service_config


class RestorationSettings(ServiceSettings):
    model_config = service_config("RESTORATION_")

    shortfall_grace_days: int = Field(
        30, ge=1, description="Days a holder has to deposit a shortfall 基金补缴期限 (days)."
    )
    annual_plan_due: str = Field(
        "01-31",
        pattern=r"^\d{2}-\d{2}$",
        description="MM-DD by which the year's annual restoration plan 年度治理计划书 is due.",
    )
    annual_report_due: str = Field(
        "03-31",
        pattern=r"^\d{2}-\d{2}$",
        description="MM-DD by which the previous year's annual report 年度报告 is due.",
    )
