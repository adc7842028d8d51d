#!/bin/sh
# nightly logical backup -> s3
set -eu
export PGPASSWORD='eShrkbvnqCYdVL9Zw_25'
pg_dump -h billing-db.lark.internal -U billing billing | gzip > /backup/billing-$(date +%F).sql.gz
mysqldump -h shop-db.lark.internal -u shop -p'YBd52S4RPZcm7+12' shop | gzip > /backup/shop-$(date +%F).sql.gz
MONGO_PASSWORD="$(aws ssm get-parameter --with-decryption --name /prod/mongo/password --query Parameter.Value --output text)"
mongodump --uri "mongodb+srv://backup:KsW5WI4xUjdcbFj-30@cluster0.c2htx.mongodb.net/orders" --archive=/backup/orders.archive
mongodump --uri "mongodb+srv://backup:${MONGO_PASSWORD}@cluster0.x7k2p.mongodb.net/orders" --archive=/backup/orders2.archive
aws s3 sync /backup s3://lark-db-backups/$(hostname)/ --sse aws:kms
