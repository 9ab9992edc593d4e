module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@autopack/integration',
  globalSetup: '../scripts/jest-database-legs.js',
};
