const crypto = require('crypto');
const jwt = require('jsonwebtoken');

function issueToken(user) {
  return jwt.sign({ sub: user.id, role: user.role }, 'supersecret', { expiresIn: '1h' }); // VULN:jwt-secret
}

function issueTokenEnv(user) {
  return jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET, { expiresIn: '1h' });
}

function verifyToken(token) {
  return jwt.verify(token, 'my-jwt-signing-key'); // VULN:jwt-secret
}

function verifyTokenEnv(token) {
  return jwt.verify(token, process.env.JWT_SECRET);
}

function newSessionId() {
  return Math.random().toString(36).slice(2) + Date.now().toString(36); // VULN:weak-random
}

function newSessionIdSecure() {
  return crypto.randomBytes(24).toString('hex');
}

function hashPassword(password) {
  return crypto.createHash('md5').update(password).digest('hex'); // VULN:weak-hash
}

function hashPasswordSecure(password, salt) {
  return crypto.scryptSync(password, salt, 64).toString('hex');
}

function etag(body) {
  return crypto.createHash('sha1').update(body).digest('base64');
}

function encryptCard(key, pan) {
  const cipher = crypto.createCipheriv('aes-128-ecb', key, null); // VULN:ecb
  return Buffer.concat([cipher.update(pan, 'utf8'), cipher.final()]).toString('hex');
}

function encryptCardGcm(key, pan) {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(pan, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('hex');
}

const FIXED_IV = Buffer.from('a1b2c3d4e5f60718a1b2c3d4e5f60718', 'hex');

function encryptNote(key, note) {
  const cipher = crypto.createCipheriv('aes-256-cbc', key, FIXED_IV); // VULN:static-iv
  return Buffer.concat([cipher.update(note, 'utf8'), cipher.final()]).toString('base64');
}

function encryptNoteRandomIv(key, note) {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
  return iv.toString('base64') + ':' + Buffer.concat([cipher.update(note, 'utf8'), cipher.final()]).toString('base64');
}

module.exports = {
  issueToken, issueTokenEnv, verifyToken, verifyTokenEnv, newSessionId, newSessionIdSecure,
  hashPassword, hashPasswordSecure, etag, encryptCard, encryptCardGcm, encryptNote, encryptNoteRandomIv,
};
