pid_file = "/run/vault-agent.pid"

vault {
  address = "https://vault.tessera.ai"
}

auto_auth {
  method "approle" {
    config = {
      role_id_file_path   = "/etc/vault-agent/role-id"
      secret_id_file_path = "/etc/vault-agent/secret-id"
      remove_secret_id_file_after_reading = true
    }
  }
  sink "file" {
    config = { path = "/run/vault-agent/token" }
  }
}

template {
  contents    = "{{ with secret \"database/creds/app\" }}{{ .Data.password }}{{ end }}"
  destination = "/run/secrets/db-password"
}
