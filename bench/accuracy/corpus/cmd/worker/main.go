package main

import (
	"database/sql"
	"os"
)

const (
	gitlabToken = "glpat-F6-5ALMlw_FLPdBgKain"
	dsn         = "postgres://worker:2mw88JpQB8g~s1LFKbAh6D@pg-primary:5432/jobs?sslmode=require"
	dbxToken    = "dapi1a82fbde5f425ba1e4c487abe8b31ddb"
	hfToken     = "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"
	buildCommit = "a3ce8d943e44f9a1711cd8591ad6fac10b07ef02"
)

func main() {
	key := os.Getenv("AWS_SECRET_ACCESS_KEY")
	cfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIAPR2U7HSGT4AHABHW",
		"/xnzMUZPx6ANi8C5mQaTpJQwDi+9La5WxhkFrJFN", "")}
	_ = key
	_, _ = sql.Open("postgres", dsn)
}
