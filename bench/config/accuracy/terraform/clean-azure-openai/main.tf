resource "azurerm_cognitive_account" "openai" {
  name                          = "acme-openai-private"
  location                      = "swedencentral"
  resource_group_name           = "rg-ai"
  kind                          = "OpenAI"
  sku_name                      = "S0"
  custom_subdomain_name         = "acme-openai-private"
  public_network_access_enabled = false
  local_auth_enabled            = false
  outbound_network_access_restricted = true
  fqdns                         = ["acmeaistorage.blob.core.windows.net"]

  identity {
    type = "SystemAssigned"
  }

  network_acls {
    default_action = "Deny"
  }

  customer_managed_key {
    key_vault_key_id = "https://kv-acme-ai.vault.azure.net/keys/openai/0123456789abcdef0123456789abcdef"
  }
}
