"""Every exact text of every procedure, kept by content hash so runs can pin the one they
started with. Saving the same text again, even from two processes at once, keeps one row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import SopVersion
from storage.writes import insert_if_absent


def save_version(
    session: Session,
    *,
    sop_id: str,
    version: int,
    content_hash: str,
    source: str,
    file: str,
    author: str | None,
    at: datetime,
) -> SopVersion:
    """The stored version with this content hash, inserted now if it is new."""
    insert_if_absent(
        session,
        SopVersion,
        unique_on=("content_hash",),
        values={
            "sop_id": sop_id,
            "version": version,
            "content_hash": content_hash,
            "source": source,
            "file": file,
            "author": author,
            "created_at": at,
        },
    )
    saved = get_by_hash(session, content_hash)
    if saved is None:  # only if another transaction deleted it in between
        raise LookupError(f"SOP version {content_hash} vanished while being saved")
    return saved


def get_by_hash(session: Session, content_hash: str) -> SopVersion | None:
    """The version with this exact content, or None."""
    return session.scalar(select(SopVersion).where(SopVersion.content_hash == content_hash))


def versions_of(session: Session, sop_id: str) -> list[SopVersion]:
    """Every stored text of one procedure, the most recently saved first."""
    query = (
        select(SopVersion)
        .where(SopVersion.sop_id == sop_id)
        .order_by(SopVersion.created_at.desc(), SopVersion.id.desc())
    )
    return list(session.scalars(query))
