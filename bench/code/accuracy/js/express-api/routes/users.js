const express = require('express');
const mysql = require('mysql2');
const { Sequelize, QueryTypes } = require('sequelize');

const router = express.Router();
const db = mysql.createPool({ host: 'db', user: 'app', database: 'shop', password: process.env.DB_PASSWORD });
const sequelize = new Sequelize(process.env.DATABASE_URL);

router.get('/:id', (req, res) => {
  db.query('SELECT id, email FROM users WHERE id = ' + req.params.id, (err, rows) => { // VULN:sqli
    res.json(rows);
  });
});

router.get('/safe/:id', (req, res) => {
  db.query('SELECT id, email FROM users WHERE id = ?', [req.params.id], (err, rows) => {
    res.json(rows);
  });
});

router.get('/by-email', async (req, res) => {
  const email = req.query.email;
  const rows = await sequelize.query(`SELECT id FROM users WHERE email = '${email}'`, { type: QueryTypes.SELECT }); // VULN:sqli
  res.json(rows);
});

router.get('/by-email-safe', async (req, res) => {
  const email = req.query.email;
  const rows = await sequelize.query('SELECT id FROM users WHERE email = :email', {
    replacements: { email },
    type: QueryTypes.SELECT,
  });
  res.json(rows);
});

router.get('/sorted', (req, res) => {
  const column = req.query.sort || 'created_at';
  const sql = 'SELECT id, email FROM users ORDER BY ' + column;
  db.execute(sql, (err, rows) => res.json(rows)); // VULN:sqli
});

router.get('/sorted-checked', (req, res) => {
  const allowed = ['created_at', 'email'];
  const column = allowed.includes(req.query.sort) ? req.query.sort : 'created_at';
  const sql = 'SELECT id, email FROM users ORDER BY ' + column;
  db.execute(sql, (err, rows) => res.json(rows));
});

module.exports = router;
