const express = require('express');
const cors = require('cors');

const execRoutes = require('./routes/exec');
const evalRoutes = require('./routes/eval');
const userRoutes = require('./routes/users');
const fileRoutes = require('./routes/files');
const proxyRoutes = require('./routes/proxy');
const pageRoutes = require('./routes/pages');
const searchRoutes = require('./routes/search');

const app = express();
app.use(express.json());
app.use(cors({ origin: true, credentials: true })); // VULN:cors

app.use('/exec', execRoutes);
app.use('/eval', evalRoutes);
app.use('/users', userRoutes);
app.use('/files', fileRoutes);
app.use('/proxy', proxyRoutes);
app.use('/pages', pageRoutes);
app.use('/search', searchRoutes);

app.listen(process.env.PORT || 3000, () => {
  console.log('orders-api listening');
});
