const express = require('express');
const { exec, execFile, execSync, spawn } = require('child_process');

const router = express.Router();

router.get('/ping', (req, res) => {
  const host = req.query.host;
  exec(`ping -c 1 ${host}`, (err, stdout) => { // VULN:cmdi
    res.send(stdout);
  });
});

router.get('/ping-safe', (req, res) => {
  const host = req.query.host;
  execFile('ping', ['-c', '1', '--', host], (err, stdout) => {
    res.send(stdout);
  });
});

router.post('/convert', (req, res) => {
  const { file } = req.body;
  const out = execSync('convert uploads/' + file + ' -resize 64x64 thumbs/out.png'); // VULN:cmdi
  res.json({ out: out.toString() });
});

router.post('/convert-default', (req, res) => {
  const file = 'placeholder.png';
  const out = execSync('convert uploads/' + file + ' -resize 64x64 thumbs/out.png');
  res.json({ out: out.toString(), requested: req.body.file });
});

router.post('/grep', (req, res) => {
  const child = spawn('sh', ['-c', `grep -r ${req.body.pattern} /srv/logs`]); // VULN:cmdi
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.on('close', () => res.send(out));
});

router.post('/grep-safe', (req, res) => {
  const child = spawn('grep', ['-r', '--', req.body.pattern, '/srv/logs']);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.on('close', () => res.send(out));
});

module.exports = router;
