#!/usr/bin/env node
// The `omnigen` command's entry, checked in so npm can link it even before dist/ is built (npm skips a
// bin whose file is missing at install time). The CLI itself is dist/cli/bin.js, compiled by tsc
// (`npm run client:build`; `npm ci` builds it through the root's prepare script).
await import('../dist/cli/bin.js');
