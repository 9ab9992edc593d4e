module.exports = { ...require('../../jest.preset.js'), displayName: '@autopack/demo', globalSetup: '../scripts/jest-database-legs.js' };
