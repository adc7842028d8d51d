const express = require('express');
const fs = require('fs');
const path = require('path');

const router = express.Router();
const UPLOADS = path.join(__dirname, '..', 'uploads');
const ALLOWED = new Set(['terms.pdf', 'privacy.pdf', 'pricing.pdf']);

router.get('/read', (req, res) => {
  fs.readFile(path.join(UPLOADS, req.query.file), (err, data) => { // VULN:path
    if (err) return res.status(404).end();
    res.send(data);
  });
});

router.get('/read-safe', (req, res) => {
  const name = path.basename(req.query.file);
  fs.readFile(path.join(UPLOADS, name), (err, data) => {
    if (err) return res.status(404).end();
    res.send(data);
  });
});

router.get('/download/:name', (req, res) => {
  res.download(`./documents/${req.params.name}`); // VULN:path
});

router.get('/download-checked/:name', (req, res) => {
  if (!ALLOWED.has(req.params.name)) return res.status(404).end();
  res.download(`./documents/${req.params.name}`);
});

router.get('/static/:name', (req, res) => {
  res.sendFile(req.params.name, { root: UPLOADS });
});

router.post('/save', (req, res) => {
  fs.writeFileSync(path.join(UPLOADS, req.body.filename), req.body.content); // VULN:path
  res.json({ saved: true });
});

module.exports = router;
