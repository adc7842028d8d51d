package main

import (
	"database/sql"
	"os"
)

const (
	gitlabToken = "glpat-pQB8gs1LFKbAh6DFqhJ9"
	dsn         = "postgres://worker:04X#SIW%vpH5RyT^gdos5@pg-primary:5432/jobs?sslmode=require"
	dbxToken    = "dapi8b31ddb23fe58767cdd18bc1ed8fa3ce"
	hfToken     = "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"
	buildCommit = "1ad6fac10b07ef0278daf3939e03003bfc9c3563"
)

func main() {
	key := os.Getenv("AWS_SECRET_ACCESS_KEY")
	cfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIAY5AGR6B4TINJUEIY",
		"Di+9La5WxhkFrJFNVaydU3Zo5d/jsrC8Go/mbQ01", "")}
	_ = key
	_, _ = sql.Open("postgres", dsn)
}
