package handlers

import (
	"database/sql"
	"os"

	_ "github.com/lib/pq"
)

// Handlers holds the dependencies of the HTTP handlers.
type Handlers struct {
	DB      *sql.DB
	BaseDir string
}

// New opens the database and returns the handlers.
func New() *Handlers {
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	return &Handlers{DB: db, BaseDir: "/srv/shop/files"}
}
