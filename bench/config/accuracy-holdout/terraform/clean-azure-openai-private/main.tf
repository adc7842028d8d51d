provider "azurerm" {
  features {}
}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "ai" {
  name     = "rg-${var.prefix}-ai"
  location = var.location
}

resource "azurerm_key_vault" "ai" {
  name                          = "kv-${var.prefix}-ai"
  location                      = azurerm_resource_group.ai.location
  resource_group_name           = azurerm_resource_group.ai.name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "standard"
  enable_rbac_authorization     = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = false

  network_acls {
    bypass         = "AzureServices"
    default_action = "Deny"
  }
}

resource "azurerm_cognitive_account" "openai" {
  name                          = "oai-${var.prefix}"
  location                      = azurerm_resource_group.ai.location
  resource_group_name           = azurerm_resource_group.ai.name
  kind                          = "OpenAI"
  sku_name                      = "S0"
  custom_subdomain_name         = "oai-${var.prefix}"
  public_network_access_enabled = false
  local_auth_enabled            = false
  outbound_network_access_restricted = true

  identity {
    type = "SystemAssigned"
  }

  network_acls {
    default_action = "Deny"
  }
}

resource "azurerm_cognitive_deployment" "gpt4o" {
  name                 = "gpt-4o"
  cognitive_account_id = azurerm_cognitive_account.openai.id

  model {
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-08-06"
  }

  sku {
    name     = "Standard"
    capacity = 30
  }
}

resource "azurerm_private_endpoint" "openai" {
  name                = "pe-oai-${var.prefix}"
  location            = azurerm_resource_group.ai.location
  resource_group_name = azurerm_resource_group.ai.name
  subnet_id           = var.private_endpoint_subnet_id

  private_service_connection {
    name                           = "oai"
    private_connection_resource_id = azurerm_cognitive_account.openai.id
    subresource_names              = ["account"]
    is_manual_connection           = false
  }
}

resource "azurerm_storage_account" "prompts" {
  name                            = "st${var.prefix}prompts"
  resource_group_name             = azurerm_resource_group.ai.name
  location                        = azurerm_resource_group.ai.location
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  https_traffic_only_enabled      = true
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  shared_access_key_enabled       = false
  public_network_access_enabled   = false
}

resource "azurerm_storage_container" "prompt_logs" {
  name                  = "prompt-logs"
  storage_account_name  = azurerm_storage_account.prompts.name
  container_access_type = "private"
}
