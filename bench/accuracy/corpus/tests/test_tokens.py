import pytest

# clearly fake fixtures used by unit tests
FAKE_GITHUB_TOKEN = "ghp_000000000000000000000000000000000000"
FAKE_AWS_KEY = "AKIAXXXXXXXXXXXXXXXX"
FAKE_STRIPE = "sk_live_00000000000000000000000000"
DUMMY_SLACK = "xoxb-dummy-token"
EXPECTED_SHA = "b27000db0f9a6f19dc79e9a3689cde3edbcc74f1de755de914af1731f5c7cafa"
COMMIT = "942e4b63b792e0bda8a03de338d7980058cefd89"
REQUEST_ID = "fd2ecd0b-1ce9-4210-b9c0-06607949acda"
PASSWORD_FIELD = "password"
api_key = "${API_KEY}"

def test_redaction():
    assert redact(FAKE_GITHUB_TOKEN) == "ghp_****"
