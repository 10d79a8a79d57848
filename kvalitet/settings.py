"""One checked settings tree. Every setting comes from here (env prefix KVALITET_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
# Assets shipped inside the package (found the same way in a checkout and in a wheel install).
BUILTIN_PROMPTS = PACKAGE_DIR / "drafting" / "prompts"
BUILTIN_TEMPLATES = PACKAGE_DIR / "workspace" / "templates"
WEB_TEMPLATES = PACKAGE_DIR / "web" / "templates"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KVALITET_", env_file=None, extra="ignore")

    # Where documents and the built index live.
    # Relative to the working directory (the repository when run with `make run`).
    corpus_dir: Path = Field(default_factory=lambda: Path.cwd() / "corpus")
    index_dir: Path = Field(default_factory=lambda: Path.cwd() / "index")
    # Overrides of the shipped prompts and report templates (a municipality's own files).
    prompts_dir: Path = BUILTIN_PROMPTS
    templates_dir: Path = BUILTIN_TEMPLATES
    # SQLAlchemy URL; default: SQLite file beside the index.
    database_url: str | None = None

    # Embedding backend. "hash" is a deterministic, model-free embedder for tests and benchmarks.
    embedder: Literal["e5", "sentence-transformers", "hash"] = "e5"
    embedder_model: str | None = None  # sentence-transformers: model name or local path
    embed_batch_size: int = 32
    embed_threads: int = 2

    # Vector store: embedded Chroma under index/ unless a Chroma server is configured.
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    collection: str = "kvalitet_passages"

    # Retrieval.
    bm25_split_compounds: bool = True  # index the parts of Swedish compounds too
    rrf_k: int = 60
    dense_subset_max: int = 5000  # a filter admitting at most this many passages is scored in memory
    dense_deeper_max: int = 2000  # a larger filter: an unfiltered query this deep at most, filtered here
    dense_year_max: int = 30000  # a larger filter within years: scored in memory from per-year blocks up to this many
    rrf_dense_weight: float = 3.0  # weight of the dense ranking in the fusion (bm25: 1.0); see README
    candidates: int = 50  # per retriever, before fusion
    # Chosen by 5-fold cross-validation on the gold set (`kvalitet eval retrieval`; README):
    kind_boost: float = 0.5  # a passage of a section kind the question names, in first-rank units
    year_boost: float = 1.0  # a passage of the year / läsår / period the question names
    meta_boost: float = 1.0  # of the committee, perspective or status the question names
    doc_boost: float = 0.0  # a passage of a document the question names by its path or title (0..1 of it)
    floor_coverage: float | None = 0.5  # show a hit matching at least this share of the query (idf)...
    floor_dense: float | None = 0.84  # ...or this close in meaning (e5 cosine); None: no floor

    # Drafting.
    generator: Literal["extractive", "llm"] = "extractive"
    # Which passages are evidence (kvalitet/drafting/relevance.py): "" the shipped fitted model,
    # "off" the word rules, or the path of a file written by `kvalitet eval fit-relevance`.
    relevance_model: str = ""
    # Kolada (RKA's open KPI database): off unless set, since most servers here are closed.
    kolada_url: str | None = None  # e.g. the public v3 address; KVALITET_KOLADA_URL
    kolada_timeout: float = 30.0
    kolada_municipality: str | None = None  # the municipality's four-digit id, e.g. "0580"

    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str = Field(default="not-needed", repr=False)
    llm_timeout: float = 30.0
    llm_max_retries: int = 0
    llm_fallback: Literal["extractive", "error"] = "extractive"
    llm_context_tokens: int = 8000

    # Server.
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    cors_origins: list[str] = Field(default_factory=list)
    secret_key: str | None = Field(default=None, repr=False)  # session cookies; generated if unset
    token_secret: str | None = Field(default=None, repr=False)  # key of the token hashes; generated if unset
    auth_failures_per_minute: int = Field(20, ge=1)  # failed sign-ins per client address, then 429
    max_items_per_report: int = Field(1000, ge=1)  # activities per report (add, import) and per export
    export_timeout_seconds: float = Field(120.0, gt=0)  # a Word export stops (503) past this
    # Retention (ops/retention.py): days; 0 keeps forever.
    conversation_retention_days: int = Field(180, ge=0)
    restored_copy_retention_days: int = Field(30, ge=0)
    cookie_secure: bool = False

    # Safety.
    max_upload_bytes: int = 20 * 1024 * 1024
    # Bytes any archive (DOCX, XLSX) may inflate to, counted as they are unpacked.
    max_docx_uncompressed_bytes: int = 200 * 1024 * 1024
    max_docx_members: int = 2000  # members of any archive (DOCX, XLSX)
    # Lines one document may give (longer ones are cut with a "truncated" warning).
    max_document_lines: int = 100_000
    pdf_timeout_seconds: float = 60.0
    pdf_memory_mb: int = 1024
    mask_personal_data: bool = False
    # Caps per document on what ingest indexes (a 250,000-paragraph DOCX must not fill the index).
    max_passages_per_document: int = 20_000
    max_identical_passages: int = 3  # passages with the same text kept per document

    log_level: str = "INFO"
    # JSON lines (KVALITET_LOG_JSON=true) or human-readable lines (false). Unset: human-readable
    # on a terminal, JSON when stderr goes to a file, a journal or a log collector.
    log_json: bool | None = None

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.workers > 1 and not self.chroma_host:
            from kvalitet.errors import ConfigError

            raise ConfigError(
                "KVALITET_WORKERS > 1 kräver en Chroma-server: sätt KVALITET_CHROMA_HOST "
                "(Chroma's embedded PersistentClient is not safe for several processes)."
            )
        return self

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.index_dir / 'kvalitet.db'}"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    @property
    def quarantine_dir(self) -> Path:
        return self.index_dir / "quarantine"


def get_settings(**overrides) -> Settings:
    return Settings(**overrides)
