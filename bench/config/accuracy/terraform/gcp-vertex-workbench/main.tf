resource "google_workbench_instance" "ds" {
  name     = "data-science"
  location = "us-central1-a"

  gce_setup {
    machine_type      = "n1-standard-8"
    disable_public_ip = false

    accelerator_configs {
      type       = "NVIDIA_TESLA_T4"
      core_count = 1
    }
  }
}

resource "google_notebooks_instance" "legacy" {
  name         = "legacy-notebook"
  location     = "us-central1-a"
  machine_type = "e2-standard-4"

  vm_image {
    project      = "deeplearning-platform-release"
    image_family = "tf-latest-cpu"
  }
}
