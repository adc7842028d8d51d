resource "azurerm_cognitive_account" "language" {
  name                = "acme-language"
  location            = "westeurope"
  resource_group_name = "rg-ai"
  kind                = "TextAnalytics"
  sku_name            = "S"
}
