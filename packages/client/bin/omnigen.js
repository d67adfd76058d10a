#!/usr/bin/env node
// The `omnigen` command's entry, checked in so npm can link it even before dist/ is built (npm skips a
// bin whose file is missing at install time). The CLI itself is dist/cli/bin.js, compiled by tsc.
try {
  await import('../dist/cli/bin.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/bin.js')) throw err;
  process.stderr.write('omnigen: the client is not built yet; run npm run client:build in the repository\n');
  process.exitCode = 1;
}
