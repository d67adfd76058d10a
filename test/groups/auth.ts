// One process for the test files of group 'auth' (test/helpers/group.ts).
import { runGroup } from '../helpers/group.ts';

await runGroup(import.meta.url);
