const express = require('express');
const escapeHtml = require('escape-html');

const router = express.Router();

router.get('/hello', (req, res) => {
  res.send(`<h1>Hello ${req.query.name}</h1>`); // VULN:xss
});

router.get('/hello-safe', (req, res) => {
  res.send(`<h1>Hello ${escapeHtml(req.query.name)}</h1>`);
});

router.get('/echo', (req, res) => {
  res.write('<pre>' + req.query.msg + '</pre>'); // VULN:xss
  res.end();
});

router.get('/echo-json', (req, res) => {
  res.json({ msg: req.query.msg });
});

module.exports = router;
