param([string]$Path = "./out")
$ErrorActionPreference = "Stop"
$kvSecret = Get-AzKeyVaultSecret -VaultName "lark-kv" -Name "artifacts-sas" -AsPlainText
$sasUrl = "https://larkartifacts.blob.core.windows.net/drops?sp=racwl&st=2025-02-01T08:00:00Z&se=2026-02-01T16:00:00Z&spr=https&sv=2022-11-02&sr=c&sig=d6SaXu39wklGfapxacje5QREywwqXieh6Ty3MEaQVRQ%3D"
$sbConn = "Endpoint=sb://lark-events.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=TROX7Gsm6S207b+aZ3YmylMGJ73rLzsEF/++SlycvVE="
$placeholder = "Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<key-name>;SharedAccessKey=<key>"
azcopy copy "$Path/*" $sasUrl --recursive
