import psycopg2
import requests

conn = psycopg2.connect("dbname=warehouse user=etl password=!2sj1c5DhS5vXLfTuhIbH8g host=10.1.2.3")
HEADERS = {"Authorization": "token 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"}
requests.post("https://hooks.slack.com/services/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", json={"text": "backfill done"})
DB_PRIVATE = """-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIJ+MnYYYA6exTue2HiB+HJ5eBrNIZC2dSEbEbxfk7TVFqaHg6qjGf3VS
5VYt9XBnYJ6tYDfJwaQfp5sDUM2ymXN4zJ8ZxnieMCL1N3eCDmuvdOxnxS99qrrF
/CQObHMQoH9of6wnTlud
-----END EC PRIVATE KEY-----"""
print('ok')
