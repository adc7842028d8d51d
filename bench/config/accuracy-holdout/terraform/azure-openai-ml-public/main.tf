provider "azurerm" {
  features {}
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "ml" {
  name     = "rg-genai-lab"
  location = "eastus2"
}

resource "azurerm_cognitive_account" "openai" {
  name                  = "oai-genai-lab"
  location              = azurerm_resource_group.ml.location
  resource_group_name   = azurerm_resource_group.ml.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "oai-genai-lab"
}

resource "azurerm_cognitive_account" "speech" {
  name                          = "speech-genai-lab"
  location                      = azurerm_resource_group.ml.location
  resource_group_name           = azurerm_resource_group.ml.name
  kind                          = "SpeechServices"
  sku_name                      = "S0"
  public_network_access_enabled = true
  local_auth_enabled            = true
}

resource "azurerm_application_insights" "ml" {
  name                = "appi-genai-lab"
  location            = azurerm_resource_group.ml.location
  resource_group_name = azurerm_resource_group.ml.name
  application_type    = "web"
}

resource "azurerm_key_vault" "ml" {
  name                = "kv-genai-lab"
  location            = azurerm_resource_group.ml.location
  resource_group_name = azurerm_resource_group.ml.name
  tenant_id           = data.azurerm_client_config.current.tenant_id
  sku_name            = "standard"
}

resource "azurerm_storage_account" "ml" {
  name                            = "stgenailab"
  location                        = azurerm_resource_group.ml.location
  resource_group_name             = azurerm_resource_group.ml.name
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  https_traffic_only_enabled      = false
  min_tls_version                 = "TLS1_0"
  allow_nested_items_to_be_public = true
}

resource "azurerm_machine_learning_workspace" "lab" {
  name                          = "mlw-genai-lab"
  location                      = azurerm_resource_group.ml.location
  resource_group_name           = azurerm_resource_group.ml.name
  application_insights_id       = azurerm_application_insights.ml.id
  key_vault_id                  = azurerm_key_vault.ml.id
  storage_account_id            = azurerm_storage_account.ml.id
  public_network_access_enabled = true

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_machine_learning_compute_instance" "dev" {
  name                          = "ci-dev-gpu"
  machine_learning_workspace_id = azurerm_machine_learning_workspace.lab.id
  virtual_machine_size          = "Standard_NC6s_v3"
  node_public_ip_enabled        = true
  local_auth_enabled            = true
}
