module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@autopack/db',
  globalSetup: '../../tools/scripts/jest-database-legs.js',
};
