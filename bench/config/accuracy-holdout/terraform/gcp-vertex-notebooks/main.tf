resource "google_service_account" "notebooks" {
  account_id   = "notebooks"
  display_name = "Notebook runtime"
}

resource "google_project_iam_member" "notebooks_editor" {
  project = var.project_id
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.notebooks.email}"
}

resource "google_project_iam_member" "notebooks_aiplatform" {
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.notebooks.email}"
}

resource "google_notebooks_instance" "legacy" {
  name         = "legacy-tf-notebook"
  location     = "us-central1-a"
  machine_type = "n1-standard-4"
  no_public_ip = false

  vm_image {
    project      = "deeplearning-platform-release"
    image_family = "tf-latest-cpu"
  }

  service_account = google_service_account.notebooks.email
}

resource "google_workbench_instance" "llm_lab" {
  name     = "llm-lab"
  location = "us-central1-a"

  gce_setup {
    machine_type = "g2-standard-8"

    accelerator_configs {
      type       = "NVIDIA_L4"
      core_count = 1
    }

    service_accounts {
      email = google_service_account.notebooks.email
    }
  }
}
