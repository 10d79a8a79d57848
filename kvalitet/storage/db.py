"""SQLAlchemy over SQLite by default, PostgreSQL when KVALITET_DATABASE_URL points at one.

The catalog of documents and passages lives here (the source of truth the vector and BM25
indexes are reconciled against), beside the report workspace's tables.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from kvalitet.settings import Settings
from kvalitet.domain.types import Passage


def in_check(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's SQL: `column IN ('a', 'b')` (the values are the project's own constants)."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def table_args(table: str, checks: dict[str, tuple[str, ...]] | None = None, indexes: tuple[str, ...] = (),
               unique: dict[str, tuple[str, ...]] | None = None) -> tuple:
    """A table's __table_args__ named as the migrations name them: per `checks` item a CHECK
    ck_<table>_<column> that the column holds one of its values, per `unique` item a UNIQUE
    constraint of that name on those columns, per column of `indexes` an index ix_<table>_<column>."""
    return (
        *(CheckConstraint(in_check(column, values), name=f"ck_{table}_{column}") for column, values in (checks or {}).items()),
        *(UniqueConstraint(*columns, name=name) for name, columns in (unique or {}).items()),
        *(Index(f"ix_{table}_{column}", column) for column in indexes),
    )


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC when read back.

    SQLite has no time zones: a DateTime(timezone=True) comes back naive, and the API's
    timestamps would lose their offset. Stored as UTC, read back with tzinfo=UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    doc_kind: Mapped[str] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    media_type: Mapped[str] = mapped_column(String(128), default="text/plain")
    records: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    school_year: Mapped[str | None] = mapped_column(String(16), nullable=True)
    period: Mapped[str | None] = mapped_column(String(64), nullable=True)
    year_source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # text, metadata, filename
    outline: Mapped[list | None] = mapped_column(JSON, nullable=True)  # [{level, title, page, line}]
    layout: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the layout recogniser used


class PassageRow(Base):
    __tablename__ = "passages"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_path: Mapped[str] = mapped_column(
        String(1024), ForeignKey("documents.path", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    doc_kind: Mapped[str] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    section_kind: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    activity: Mapped[str | None] = mapped_column(Text, nullable=True)
    goal: Mapped[str | None] = mapped_column(Text, nullable=True)
    municipal_goal: Mapped[str | None] = mapped_column(Text, nullable=True)
    perspective: Mapped[str | None] = mapped_column(String(64), nullable=True)
    committee: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    deadline: Mapped[str | None] = mapped_column(String(128), nullable=True)
    postponed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    carried_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amount_tkr: Mapped[float | None] = mapped_column(Float, nullable=True)
    responsible: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_raw: Mapped[str | None] = mapped_column(String(128), nullable=True)
    assessment: Mapped[str | None] = mapped_column(String(64), nullable=True)
    indicator: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(128), nullable=True)
    target: Mapped[str | None] = mapped_column(String(128), nullable=True)
    item: Mapped[str | None] = mapped_column(Text, nullable=True)
    month: Mapped[str | None] = mapped_column(String(64), nullable=True)
    period: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    school_year: Mapped[str | None] = mapped_column(String(16), nullable=True)
    year_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    line_start: Mapped[int] = mapped_column(Integer, default=0)
    line_end: Mapped[int] = mapped_column(Integer, default=0)
    pii: Mapped[list] = mapped_column(JSON, default=list)

    def to_passage(self) -> Passage:
        return Passage.model_validate({c: getattr(self, c) for c in Passage.model_fields})

    @classmethod
    def from_passage(cls, p: Passage) -> "PassageRow":
        return cls(**p.model_dump())


class MetaRow(Base):
    """Key-value facts about the index: which embedder built it, the index version."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def make_engine(settings: Settings) -> Engine:
    url = settings.db_url
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


class Database:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_engine(settings)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self) -> None:
        from kvalitet.storage.migrations import upgrade

        upgrade(self)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        s = self.sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.session() as s:
            row = s.get(MetaRow, key)
            return row.value if row else default

    def set_meta(self, key: str, value: str, s: Session | None = None) -> None:
        def _set(sess: Session) -> None:
            row = sess.get(MetaRow, key)
            if row:
                row.value = value
            else:
                sess.add(MetaRow(key=key, value=value))

        if s is not None:
            _set(s)
        else:
            with self.session() as sess:
                _set(sess)

    def index_version(self) -> int:
        return int(self.get_meta("index_version", "0") or 0)

    def documents_without_year(self) -> int:
        """How many indexed documents have no year: a year filter cannot find them, so the
        search result says how many there are (they stay in every unfiltered search)."""
        from sqlalchemy import func

        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.year.is_(None))) or 0)

    def document_titles(self) -> dict[str, str]:
        """{document path: its title as recognised ("" when none)} of every indexed document."""
        with self.session() as s:
            return {path: title or "" for path, title in s.execute(select(DocumentRow.path, DocumentRow.title)).all()}

    def all_passages(self) -> list[Passage]:
        with self.session() as s:
            rows = s.scalars(select(PassageRow).order_by(PassageRow.doc_path, PassageRow.ordinal)).all()
            return [r.to_passage() for r in rows]

    def dispose(self) -> None:
        self.engine.dispose()


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
