# Databricks notebook source
# MAGIC %md
# MAGIC ## Daily data-quality checks (orders, payments)

# COMMAND ----------

jdbc_password = dbutils.secrets.get(scope="dq", key="orders-db-password")
spark.conf.set("fs.azure.account.key.acmelake.dfs.core.windows.net", "x62mxWYyw3zkNO/LfkhMzYN8kPuk2m0kEaMo5fIDugVb3aNh23YQx13AodFnU4z7+e1U1LFE+0Om5BPneQK93g==")

# COMMAND ----------

legacy_url = "jdbc:sqlserver://legacy-erp.database.windows.net:1433;database=erp;user=dq_reader;password=mZyES1IKVEJHPruQtA;encrypt=true"
df = spark.read.jdbc(legacy_url, "dbo.payments")
display(df.groupBy("status").count())
