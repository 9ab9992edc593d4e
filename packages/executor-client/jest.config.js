module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@autopack/executor-client',
};
