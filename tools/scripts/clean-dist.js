// Removes the package's dist/ before a build so deleted sources never linger as stale output.
require('node:fs').rmSync('dist', { recursive: true, force: true });
