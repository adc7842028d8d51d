resource "google_storage_bucket" "training" {
  name                        = "acme-training-data"
  location                    = "US"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = "projects/acme-ml/locations/us/keyRings/ml/cryptoKeys/training"
  }

  logging {
    log_bucket = "acme-access-logs"
  }
}

resource "google_storage_bucket_iam_member" "trainer" {
  bucket = google_storage_bucket.training.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:trainer@acme-ml.iam.gserviceaccount.com"
}

resource "google_workbench_instance" "ds" {
  name     = "ds-private"
  location = "us-central1-a"

  gce_setup {
    machine_type      = "n2-standard-8"
    disable_public_ip = true

    network_interfaces {
      network = "projects/acme-ml/global/networks/ml"
      subnet  = "projects/acme-ml/regions/us-central1/subnetworks/notebooks"
    }

    boot_disk {
      disk_encryption = "CMEK"
      kms_key         = "projects/acme-ml/locations/us-central1/keyRings/ml/cryptoKeys/notebooks"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_vtpm                 = true
      enable_integrity_monitoring = true
    }
  }
}
