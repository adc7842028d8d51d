// Command migrate applies the SQL migrations and dumps the schema.
package main

import (
	"database/sql"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	_ "github.com/lib/pq"
)

func main() {
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	sort.Strings(files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			log.Fatalf("%s: %v", f, err)
		}
	}
	out, err := exec.Command("pg_dump", "--schema-only", os.Getenv("DATABASE_URL")).Output()
	if err != nil {
		log.Fatal(err)
	}
	os.WriteFile("schema.sql", out, 0o644)
}
