const express = require('express');
const vm = require('vm');

const router = express.Router();

router.post('/calc', (req, res) => {
  const result = eval(req.body.expression); // VULN:codei
  res.json({ result });
});

router.post('/calc-number', (req, res) => {
  const result = Number(req.body.expression);
  res.json({ result });
});

router.get('/filter', (req, res) => {
  const predicate = new Function('item', 'return ' + req.query.filter); // VULN:codei
  res.json([1, 2, 3].filter(predicate));
});

router.get('/filter-fixed', (req, res) => {
  const predicate = new Function('item', 'return item > 1');
  res.json([1, 2, 3].filter(predicate).slice(0, Number(req.query.limit) || 3));
});

router.post('/sandbox', (req, res) => {
  const output = vm.runInNewContext(req.body.code, { items: [] }); // VULN:codei
  res.json({ output });
});

router.post('/settings', (req, res) => {
  const settings = JSON.parse(req.body.settings);
  res.json({ keys: Object.keys(settings) });
});

router.get('/timer', (req, res) => {
  setTimeout(req.query.callback, 10); // VULN:codei
  res.json({ scheduled: true });
});

module.exports = router;
