// Runs TypeScript sources directly (no build step): ts-node transpiles with swc, which emits the
// decorator metadata Nest's dependency injection needs; tsconfig-paths resolves @frictionwatch/* aliases.
const path = require('node:path');
const project = path.join(__dirname, '..', 'tsconfig.json');
require('ts-node').register({ project, transpileOnly: true, swc: true });
const { compilerOptions } = require(project);
require('tsconfig-paths').register({ baseUrl: path.join(__dirname, '..'), paths: compilerOptions.paths });
