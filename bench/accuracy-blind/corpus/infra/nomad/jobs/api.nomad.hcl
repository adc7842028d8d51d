job "api" {
  datacenters = ["eu-central-1"]
  type        = "service"

  group "api" {
    count = 3

    task "api" {
      driver = "docker"
      config {
        image = "ghcr.io/tessera-ai/api:2025.11.3"
      }

      vault {
        policies = ["api"]
      }

      template {
        data        = <<EOH
{{ with secret "kv/data/api" }}
DATABASE_URL={{ .Data.data.database_url }}
OPENAI_API_KEY={{ .Data.data.openai_api_key }}
{{ end }}
EOH
        destination = "secrets/api.env"
        env         = true
      }

      env {
        LOG_LEVEL         = "info"
        STRIPE_SECRET_KEY = "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"
      }
    }
  }
}
