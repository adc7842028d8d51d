#!/usr/bin/env node
// Builds the API bundle and records the git revision.
const { execFileSync, execSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execSync('npx esbuild server.js --bundle --platform=node --outfile=dist/server.js', { cwd: root, stdio: 'inherit' });
fs.writeFileSync(path.join(root, 'dist', 'REVISION'), revision + '\n');

const config = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
console.log(`built ${config.name}@${config.version} (${revision})`);
