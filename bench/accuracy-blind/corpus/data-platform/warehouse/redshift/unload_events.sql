-- one-off backfill, run manually by dana on 2025-10-02
UNLOAD ('SELECT * FROM events WHERE event_date >= ''2025-01-01''')
TO 's3://acme-datalake-raw-prod/backfill/events_'
CREDENTIALS 'aws_access_key_id=AKIAPTBZTQLSHXBM44F3;aws_secret_access_key=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'
FORMAT AS PARQUET;

-- the scheduled version uses the cluster role instead
UNLOAD ('SELECT * FROM events WHERE event_date = CURRENT_DATE - 1')
TO 's3://acme-datalake-raw-prod/daily/events_'
IAM_ROLE 'arn:aws:iam::836614312700:role/redshift-unload'
FORMAT AS PARQUET;
