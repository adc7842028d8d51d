module.exports = {
  stripeKey: 'sk_live_ZxHtAowZZpJmFCACi49AaPx3',
  githubToken: process.env.GITHUB_TOKEN || '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',
  sessionSecret: process.env.SESSION_SECRET,
  mysql: 'mysql://root:FMZv*LB24Kzx!Nb+Q1kjzo0@mysql.internal:3306/shop',
  npmToken: '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',
  openaiKey: '<OPENAI_API_KEY>',
  replicate: 'r8_iFtmaf6nzFYOb6j255PVqDR3cTFLftTA0BD6F',
  jwtSecret: 'ZCTKH6MM1iaileNzYzPgr1-VYPwzeXOsv3ns4chChaCwdFv4YsrMa8vUKuvnQh8t',
};
