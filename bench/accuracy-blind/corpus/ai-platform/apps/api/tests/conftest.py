import pytest


@pytest.fixture(autouse=True)
def fake_keys(monkeypatch):
    # obviously fake values; the clients are mocked with respx
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "x" * 93 + "AA")
    monkeypatch.setenv("PINECONE_API_KEY", "pcsk_fake00_" + "0" * 63)
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2_pt_00000000000000000000000000000000_0000000000")
    monkeypatch.setenv("DATABASE_URL", "postgresql://test:test@localhost:5432/test")
    monkeypatch.setenv("APP_ENV", "test")


@pytest.fixture
def request_id():
    return "fa6e80e0-454f-4aed-b078-b91ef0655680"
