provider "google" {
  project = var.project_id
  region  = var.region
}

resource "google_service_account" "workbench" {
  account_id   = "workbench-runtime"
  display_name = "Vertex AI Workbench runtime"
}

resource "google_storage_bucket" "datasets" {
  name                        = "${var.project_id}-ml-datasets"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = var.kms_key_id
  }
}

resource "google_storage_bucket_iam_member" "workbench_reads_datasets" {
  bucket = google_storage_bucket.datasets.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.workbench.email}"
}

resource "google_workbench_instance" "team" {
  name     = "ml-team-workbench"
  location = "${var.region}-b"

  gce_setup {
    machine_type      = "n1-standard-8"
    disable_public_ip = true

    accelerator_configs {
      type       = "NVIDIA_TESLA_T4"
      core_count = 1
    }

    service_accounts {
      email = google_service_account.workbench.email
    }

    network_interfaces {
      network = var.network_id
      subnet  = var.subnet_id
    }

    boot_disk {
      disk_size_gb    = 150
      disk_encryption = "CMEK"
      kms_key         = var.kms_key_id
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_vtpm                 = true
      enable_integrity_monitoring = true
    }

    metadata = {
      terraform               = "true"
      notebook-disable-root   = "true"
      notebook-disable-downloads = "true"
    }
  }

  disable_proxy_access = false
}
