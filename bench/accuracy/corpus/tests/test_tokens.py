import pytest

# clearly fake fixtures used by unit tests
FAKE_GITHUB_TOKEN = "ghp_000000000000000000000000000000000000"
FAKE_AWS_KEY = "AKIAXXXXXXXXXXXXXXXX"
FAKE_STRIPE = "sk_live_00000000000000000000000000"
DUMMY_SLACK = "xoxb-dummy-token"
EXPECTED_SHA = "1de755de914af1731f5c7cafa942e4b63b792e0bda8a03de338d7980058cefd8"
COMMIT = "9fd2ecd0b1ce9a210e9c006607949acdaeefdb8d"
REQUEST_ID = "7e084eb5-274b-4261-a8aa-c2b9a9a08fa5"
PASSWORD_FIELD = "password"
api_key = "${API_KEY}"

def test_redaction():
    assert redact(FAKE_GITHUB_TOKEN) == "ghp_****"
