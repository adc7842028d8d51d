const fs = require('fs');
const https = require('https');
const axios = require('axios');

if (process.env.LEGACY_PARTNER === '1') {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // VULN:tls
}

const insecureAgent = new https.Agent({ rejectUnauthorized: false }); // VULN:tls
const partnerAgent = new https.Agent({ ca: fs.readFileSync('/etc/ssl/partner-ca.pem'), rejectUnauthorized: true });

const legacyClient = axios.create({ baseURL: 'https://legacy.partner.example', httpsAgent: insecureAgent });
const partnerClient = axios.create({ baseURL: 'https://api.partner.example', httpsAgent: partnerAgent });

function rawRequest(path) {
  return https.request({ host: 'billing.internal', path, rejectUnauthorized: false }); // VULN:tls
}

function rawRequestVerified(path) {
  return https.request({ host: 'billing.internal', path, ca: fs.readFileSync('/etc/ssl/billing-ca.pem') });
}

module.exports = { legacyClient, partnerClient, rawRequest, rawRequestVerified };
