datacenter = "eu-central-1"
data_dir   = "/opt/consul"
server     = true
encrypt    = "eO1BEaAuHoM7tlal3rTf4I6Gr7G0PTBy8eko6YkBZqM="

acl {
  enabled        = true
  default_policy = "deny"
  tokens {
    initial_management = "3939ff5b-4fd4-43c4-9e92-25ea5eba33ca"
    agent              = "e7932ef2-c472-4530-8d5a-8e5fd3d573b5"
  }
}

node_id = "e06aa5d0-2cf9-4f54-8ea2-59b3ff5b2200"
