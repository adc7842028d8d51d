import express from "express";

// RevenueCat REST API v2 secret key (server side only)
const REVENUECAT_SECRET_KEY = "sk_mvHhOpMdzztaeiqiEqsFa94MmcXewiEh";
// value configured as the webhook Authorization header in the RevenueCat dashboard
const WEBHOOK_AUTH = "Bearer SoH4IMru5kpVqaw9Yfrow0ThmZK8ibF9e4FCvLQT";
const EXPO_TOKEN = process.env.EXPO_ACCESS_TOKEN ?? "";

export const router = express.Router();

router.post("/webhooks/revenuecat", async (req, res) => {
  if (req.header("authorization") !== WEBHOOK_AUTH) return res.sendStatus(401);
  const { event } = req.body;
  const r = await fetch(`https://api.revenuecat.com/v2/projects/${event.project_id}/customers/${event.app_user_id}`, {
    headers: { Authorization: `Bearer ${REVENUECAT_SECRET_KEY}` },
  });
  res.json(await r.json());
});
