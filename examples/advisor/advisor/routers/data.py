"""Tenant-admin data management: /admin/data (knowledge base used by the tutor)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from advisor.auth import verify_tenant_admin
from advisor.database import get_db

router = APIRouter()

_MB = 1024 * 1024


@router.get("/data/stats")
async def get_data_stats(tenant_id: str = Depends(verify_tenant_admin)):
    """Documents, lecture videos and crawled sites of the tenant, and the storage they take."""
    with get_db(tenant_id) as db:
        documents = db.execute(
            "SELECT COUNT(*) AS total, COALESCE(SUM(is_indexed), 0) AS indexed,"
            " COALESCE(SUM(size_bytes), 0) AS size FROM documents"
        ).fetchone()
        videos = db.execute(
            "SELECT COUNT(*) AS total, COALESCE(SUM(is_transcribed), 0) AS transcribed,"
            " COALESCE(SUM(size_bytes), 0) AS size FROM videos"
        ).fetchone()
        sites = db.execute(
            "SELECT COUNT(*) AS total, COALESCE(SUM(is_active), 0) AS active FROM crawl_sites"
        ).fetchone()
    return {
        "documents": {"total": documents["total"], "indexed": documents["indexed"]},
        "videos": {"total": videos["total"], "transcribed": videos["transcribed"]},
        "crawl_sites": {"total": sites["total"], "active": sites["active"]},
        "storage_used_mb": round((documents["size"] + videos["size"]) / _MB, 1),
    }
