// Jest global setup for integration and end-to-end tests: one migrated template database per
// migrations version. Global setup runs outside Jest's module mapper, so load the sources directly.
require('../../../tools/register.js');

module.exports = async function globalSetup() {
  const { ensureTemplateDatabase } = require('./test-database.ts');
  await ensureTemplateDatabase();
};
