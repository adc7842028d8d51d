const express = require('express');
const ejs = require('ejs');
const _ = require('lodash');
const pug = require('pug');

const router = express.Router();
const WELCOME = ejs.compile('<h1>Welcome <%= name %></h1>');

router.post('/preview', (req, res) => {
  res.send(ejs.render(req.body.template, { shop: 'Acme' })); // VULN:ssti
});

router.post('/preview-fixed', (req, res) => {
  res.send(WELCOME({ name: req.body.name }));
});

router.get('/banner', (req, res) => {
  const compiled = _.template(req.query.tpl); // VULN:codei
  res.send(compiled({ shop: 'Acme' }));
});

router.get('/banner-fixed', (req, res) => {
  const compiled = _.template('<b><%- shop %></b> welcomes <%- name %>');
  res.send(compiled({ shop: 'Acme', name: req.query.name }));
});

router.post('/card', (req, res) => {
  const fn = pug.compile(req.body.layout); // VULN:ssti
  res.send(fn({ title: 'Card' }));
});

router.post('/card-fixed', (req, res) => {
  const fn = pug.compileFile('views/card.pug');
  res.send(fn({ title: req.body.title }));
});

module.exports = router;
