1/

pPlaceholder

sSaveV2

r	RestoreV2