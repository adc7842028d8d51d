const express = require('express');
const cors = require('cors');

const ALLOWED_ORIGINS = ['https://admin.example.com', 'https://ops.example.com'];

const app = express();
app.use(express.json());
app.use(cors({ origin: ALLOWED_ORIGINS, credentials: true }));

app.get('/health', (req, res) => res.json({ ok: true }));

app.listen(process.env.ADMIN_PORT || 3001);
