resource "azurerm_key_vault" "app" {
  name                          = "kv-acme-app"
  location                      = "westeurope"
  resource_group_name           = "rg-app"
  tenant_id                     = "00000000-0000-0000-0000-000000000000"
  sku_name                      = "standard"
  soft_delete_retention_days    = 7
  purge_protection_enabled      = false
  public_network_access_enabled = false

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}
