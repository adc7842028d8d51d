import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";

const config = new pulumi.Config();
const dbPassword = config.requireSecret("dbPassword");

const db = new aws.rds.Instance("tessera-db", {
  engine: "postgres",
  engineVersion: "16.4",
  instanceClass: "db.r6g.large",
  allocatedStorage: 100,
  username: "tessera",
  password: dbPassword,
});

// provider for repo settings + actions secrets (token of the tessera-bot machine user)
const gh = new github.Provider("gh", { owner: "tessera-ai", token: "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" });

new github.ActionsSecret("db-url", {
  repository: "platform",
  secretName: "DATABASE_URL",
  plaintextValue: pulumi.interpolate`postgres://tessera:${dbPassword}@${db.endpoint}/tessera`,
}, { provider: gh });
