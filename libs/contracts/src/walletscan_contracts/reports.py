"""Request-reply contract between the gateway and the report service."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ReportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    PDF = "pdf"


CONTENT_TYPES: dict[ReportFormat, str] = {
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.JSON: "application/json",
    ReportFormat.PDF: "application/pdf",
}


def report_object_name(scan_id: str, fmt: ReportFormat) -> str:
    return f"{scan_id}.{fmt.value}"


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    scan_id: str
    owner_id: str
    format: ReportFormat


class ReportReply(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: int
    detail: str | None = None
    object_name: str | None = None
    content_type: str | None = None
    filename: str | None = None
    size: int | None = None
