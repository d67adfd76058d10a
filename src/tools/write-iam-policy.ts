// `npm run iam-policy`: writes the task role's policy (from src/adapters/aws/iam-actions.ts) into
// docs/deploying.md, between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { withDocumentedPolicy } from '../adapters/aws/iam-policy-document.ts';

const doc = new URL('../../docs/deploying.md', import.meta.url);
const before = readFileSync(doc, 'utf8');
const after = withDocumentedPolicy(before);
if (after !== before) writeFileSync(doc, after);
console.log(after === before ? 'docs/deploying.md: policy already up to date' : 'docs/deploying.md: policy updated');
