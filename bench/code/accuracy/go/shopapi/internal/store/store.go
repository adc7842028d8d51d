// Package store is the product repository.
package store

import (
	"context"
	"database/sql"
)

// Product is a catalogue entry.
type Product struct {
	ID    int64
	Name  string
	Price int64
}

// Store wraps the database.
type Store struct{ DB *sql.DB }

// ByID loads one product.
func (s *Store) ByID(ctx context.Context, id int64) (*Product, error) {
	p := &Product{}
	err := s.DB.QueryRowContext(ctx, "SELECT id, name, price FROM products WHERE id = $1", id).Scan(&p.ID, &p.Name, &p.Price)
	return p, err
}

// Search finds products by name.
func (s *Store) Search(ctx context.Context, name string, limit int) ([]Product, error) {
	rows, err := s.DB.QueryContext(ctx, "SELECT id, name, price FROM products WHERE name ILIKE $1 LIMIT $2", "%"+name+"%", limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Price); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
