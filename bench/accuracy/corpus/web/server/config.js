module.exports = {
  stripeKey: 'sk_live_PDuoA4VD8GadMagPS0YHEC6u',
  githubToken: process.env.GITHUB_TOKEN || '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',
  sessionSecret: process.env.SESSION_SECRET,
  mysql: 'mysql://root:w2DyOAzySLFAEA0fAnrWl@mysql.internal:3306/shop',
  npmToken: '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',
  openaiKey: '<OPENAI_API_KEY>',
  replicate: 'r8_4bcmn3lFZYfGvNjInz6aSRmZyUzaG3Z0fbNQR',
  jwtSecret: 'ZeirTouq4CGtL1_Lwc2frGi5nKX-mBDHLZCTKH6MM1iaileNzYzPgr1-VYPwzeXO',
};
