const express = require('express');
const mongoose = require('mongoose');

const router = express.Router();
const Product = mongoose.model('Product', new mongoose.Schema({ name: String, price: Number }));

router.get('/products', async (req, res) => {
  const docs = await Product.find({ $where: `this.name == '${req.query.name}'` }); // VULN:nosqli
  res.json(docs);
});

router.get('/products-safe', async (req, res) => {
  const docs = await Product.find({ name: String(req.query.name) });
  res.json(docs);
});

router.post('/products/filter', async (req, res) => {
  const docs = await Product.find(req.body.filter); // VULN:nosqli
  res.json(docs);
});

router.post('/products/filter-safe', async (req, res) => {
  const maxPrice = Number(req.body.maxPrice) || 100;
  const docs = await Product.find({ price: { $lte: maxPrice } });
  res.json(docs);
});

module.exports = router;
