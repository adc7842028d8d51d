package handlers

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// Upload stores a multipart upload under its client-supplied name.
func (h *Handlers) Upload(w http.ResponseWriter, r *http.Request) {
	file, header, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	defer file.Close()
	dst, err := os.Create(filepath.Join(h.BaseDir, header.Filename)) // VULN:path
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer dst.Close()
	io.Copy(dst, file)
}

// UploadSafe keeps only the base name of the upload.
func (h *Handlers) UploadSafe(w http.ResponseWriter, r *http.Request) {
	file, header, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	defer file.Close()
	dst, err := os.Create(filepath.Join(h.BaseDir, filepath.Base(header.Filename)))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer dst.Close()
	io.Copy(dst, file)
}
