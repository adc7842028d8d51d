const express = require('express');
const axios = require('axios');

const router = express.Router();
const ALLOWED_HOSTS = new Set(['api.partner.example', 'cdn.partner.example']);

router.get('/fetch', async (req, res) => {
  const response = await axios.get(req.query.url); // VULN:ssrf
  res.send(response.data);
});

router.get('/fetch-checked', async (req, res) => {
  const target = new URL(req.query.url);
  if (!ALLOWED_HOSTS.has(target.hostname)) return res.status(400).end();
  const response = await axios.get(target.toString());
  res.send(response.data);
});

router.post('/webhook-test', async (req, res) => {
  const r = await fetch(req.body.webhookUrl, { method: 'POST', body: '{}' }); // VULN:ssrf
  res.json({ status: r.status });
});

router.post('/webhook-default', async (req, res) => {
  const r = await fetch('https://hooks.example.com/test', { method: 'POST', body: JSON.stringify({ id: req.body.id }) });
  res.json({ status: r.status });
});

module.exports = router;
