#!/usr/bin/env node
// The npm registry reachable here serves only this platform's native binaries, so npm cannot record
// the other platforms' optional packages (@swc/core-darwin-arm64, ...) in package-lock.json, and then
// `npm ci` refuses the lockfile as "missing" them. This adds, for every optional dependency of a locked
// package that the lockfile lacks, an entry with the os and cpu its name declares; npm skips those on
// any other platform without fetching them. `postinstall` runs it; `--check` (part of `npm run lint`)
// fails when entries are missing, e.g. after a command that rewrote the lockfile without running it.
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS = [
  'darwin',
  'linux',
  'win32',
  'android',
  'freebsd',
  'openharmony',
  'sunos',
  'aix',
  'netbsd',
  'openbsd',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'loong64', 'riscv64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  return os && cpu ? { os, cpu } : null;
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  if (!location || !entry.optionalDependencies) continue;
  const base = location.slice(0, location.lastIndexOf('node_modules/'));
  for (const [dep, version] of Object.entries(entry.optionalDependencies)) {
    const candidates = [
      `${location}/node_modules/${dep}`,
      `${base}node_modules/${dep}`,
      `node_modules/${dep}`,
    ];
    if (candidates.some((c) => packages[c])) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[`node_modules/${dep}`] = {
      version: version.replace(/^[\^~=]/, ''),
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [platform.os],
    };
    added += 1;
  }
}

if (process.argv.includes('--check')) {
  if (added > 0) {
    process.stderr.write(
      `package-lock.json lacks ${added} platform entries: run \`node tools/lock-platform-stubs.js\`\n`,
    );
    process.exit(1);
  }
  process.exit(0);
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lock-platform-stubs: added ${added} entries\n`);
