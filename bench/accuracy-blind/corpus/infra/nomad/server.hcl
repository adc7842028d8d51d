datacenter = "eu-central-1"
data_dir   = "/opt/nomad/data"

server {
  enabled          = true
  bootstrap_expect = 3
  encrypt          = "Gpl1GFinYoeyjrCtvbY6GX/VrAoR6EDOdAA6zv5p7Pg="
}

acl {
  enabled = true
}

vault {
  enabled = true
  address = "https://vault.tessera.ai"
  token   = "hvs.CAESIqeR7nAWmZQKMmKRnnx1VQk2yx9ZunNtStJOAIZM9Y631CEer0Z2uWFNwI3bXQEU4IpWidEt9MT_X8yka8jlYhT"
}
