resource "google_storage_bucket" "exports" {
  name                        = "${var.project_id}-partner-exports"
  location                    = "US"
  uniform_bucket_level_access = false
}

resource "google_storage_bucket_iam_member" "exports_public" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_storage_bucket" "ml_samples" {
  name     = "${var.project_id}-ml-samples"
  location = "US"
}

resource "google_storage_bucket_iam_binding" "ml_samples_readers" {
  bucket = google_storage_bucket.ml_samples.name
  role   = "roles/storage.objectViewer"
  members = [
    "group:ml-research@acme.example",
    "allAuthenticatedUsers",
  ]
}

resource "google_sql_database_instance" "analytics" {
  name             = "analytics-pg"
  database_version = "POSTGRES_15"
  region           = var.region

  settings {
    tier = "db-custom-4-16384"

    ip_configuration {
      ipv4_enabled = true

      authorized_networks {
        name  = "anywhere"
        value = "0.0.0.0/0"
      }
    }

    backup_configuration {
      enabled = true
    }
  }

  deletion_protection = true
}

resource "google_sql_user" "analytics" {
  name     = "analyst"
  instance = google_sql_database_instance.analytics.name
  password = "An4lyst!Pass-2024"
}

resource "google_compute_firewall" "bastion_ssh" {
  name    = "allow-bastion-ssh"
  network = var.network

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["bastion"]
}
