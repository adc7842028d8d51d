import psycopg2
import requests

conn = psycopg2.connect("dbname=warehouse user=etl password=JIEdP9V1rXBg^iZjDhr host=10.1.2.3")
HEADERS = {"Authorization": "token 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"}
requests.post("https://hooks.slack.com/services/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", json={"text": "backfill done"})
DB_PRIVATE = """-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIbxfk7TVFqaHg6qjGf3VS5VYt9XBnYJ6tYDfJwaQfp5sDUM2ymXN4zJ8
ZxnieMCL1N3eCDmuvdOxnxS99qrrF/CQObHMQoH9of6wnTludEglKPQMKt9O1Pr2
DgqJets8UKgfzGNiIHkG
-----END EC PRIVATE KEY-----"""
print('ok')
