package handlers

import (
	"encoding/json"
	"net/http"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Reviews is backed by MongoDB.
type Reviews struct {
	Coll *mongo.Collection
}

// ByAuthor finds reviews with a JavaScript $where clause.
func (rv *Reviews) ByAuthor(w http.ResponseWriter, r *http.Request) {
	author := r.URL.Query().Get("author")
	cur, err := rv.Coll.Find(r.Context(), bson.M{"$where": "this.author == '" + author + "'"}) // VULN:nosqli
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	var out []bson.M
	cur.All(r.Context(), &out)
	json.NewEncoder(w).Encode(out)
}

// ByAuthorSafe matches the author field exactly.
func (rv *Reviews) ByAuthorSafe(w http.ResponseWriter, r *http.Request) {
	author := r.URL.Query().Get("author")
	cur, err := rv.Coll.Find(r.Context(), bson.M{"author": author})
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	var out []bson.M
	cur.All(r.Context(), &out)
	json.NewEncoder(w).Encode(out)
}
