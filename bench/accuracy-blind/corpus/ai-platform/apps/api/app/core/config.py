from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: str = "development"
    openai_api_key: SecretStr = Field(default=SecretStr(""), alias="OPENAI_API_KEY")
    # TODO(mk): remove the fallback once the staging secret is in Doppler
    anthropic_api_key: SecretStr = SecretStr("sk-ant-api03-1PNTVIjNKEivkLc0xRjR1hFv13AAnYQlM_Sj-kKHjtaW-20TvNJ2tmarYhQzW6bkZsZbeeXDyxDhOaUDpE3SRHFBS6HfkAA")
    jwt_signing_secret: str = "emZmmmD5KqCucoJJog0mzC96ZQmZB386-Sm-WGZNtQK8Vak3"
    jwt_algorithm: str = "HS256"
    access_token_ttl_minutes: int = 30
    session_cookie_secret: str = Field(..., alias="SESSION_COOKIE_SECRET")
    qdrant_url: str = "https://4f1c2a7e-93b1-4f2e-8a5d-0c6e1b9d7a31.eu-central-1-0.aws.cloud.qdrant.io:6333"


@lru_cache
def get_settings() -> Settings:
    return Settings()
