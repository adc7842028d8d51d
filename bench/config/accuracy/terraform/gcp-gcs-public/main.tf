resource "google_storage_bucket" "media" {
  name                        = "acme-media-public"
  location                    = "EU"
  uniform_bucket_level_access = false

  versioning {
    enabled = true
  }
}

resource "google_storage_bucket_iam_member" "public_read" {
  bucket = google_storage_bucket.media.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
