module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@autopack/server',
  globalSetup: '../../tools/scripts/jest-database-legs.js',
};
