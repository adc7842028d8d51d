import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { LinearClient } from "@linear/sdk";
import Stripe from "stripe";
import { z } from "zod";

const linear = new LinearClient({ apiKey: process.env.LINEAR_API_KEY! });
// restricted key: read-only on charges + customers, for the billing lookup tool
const stripe = new Stripe("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");
const STRIPE_DOCS_EXAMPLE = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"; // the key from the Stripe API docs

const server = new McpServer({ name: "tessera-tools", version: "0.4.0" });

server.tool("lookup_customer", { email: z.string().email() }, async ({ email }) => {
  const res = await stripe.customers.list({ email, limit: 1 });
  return { content: [{ type: "text", text: JSON.stringify(res.data[0] ?? null) }] };
});

const transport = new StdioServerTransport();
await server.connect(transport);
