const express = require('express');
const OpenAI = require('openai');
const escapeHtml = require('escape-html');

const router = express.Router();
const openai = new OpenAI();
const boundedOpenai = new OpenAI({ timeout: 20000, maxRetries: 1 });

router.post('/summary', async (req, res) => {
  const completion = await openai.chat.completions.create({ // VULN:llm-dos
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'Summarise the customer message.' },
      { role: 'user', content: req.body.message },
    ],
  });
  res.json({ summary: completion.choices[0].message.content });
});

router.post('/summary-bounded', async (req, res) => {
  const completion = await boundedOpenai.chat.completions.create({
    model: 'gpt-4o',
    max_tokens: 300,
    messages: [
      { role: 'system', content: 'Summarise the customer message.' },
      { role: 'user', content: String(req.body.message).slice(0, 4000) },
    ],
  });
  res.json({ summary: completion.choices[0].message.content });
});

router.post('/card', async (req, res) => {
  const completion = await boundedOpenai.chat.completions.create({
    model: 'gpt-4o-mini',
    max_tokens: 300,
    messages: [
      { role: 'system', content: 'Write a short product card in HTML.' },
      { role: 'user', content: req.body.product },
    ],
  });
  res.send(completion.choices[0].message.content); // VULN:llm-output
});

router.post('/card-escaped', async (req, res) => {
  const completion = await boundedOpenai.chat.completions.create({
    model: 'gpt-4o-mini',
    max_tokens: 300,
    messages: [
      { role: 'system', content: 'Write a short product description.' },
      { role: 'user', content: req.body.product },
    ],
  });
  res.send(`<p>${escapeHtml(completion.choices[0].message.content)}</p>`);
});

router.post('/tone', async (req, res) => {
  const completion = await boundedOpenai.chat.completions.create({ // VULN:prompt-injection
    model: 'gpt-4o-mini',
    max_tokens: 300,
    messages: [
      { role: 'system', content: 'Rewrite the text. Style rules: ' + req.body.rules },
      { role: 'user', content: req.body.text },
    ],
  });
  res.json({ text: completion.choices[0].message.content });
});

module.exports = router;
