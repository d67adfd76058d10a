// `npm run aws:create-resources`: creates the jobs table (with its listing index), the usage table
// (usage counters and idempotency claims, with TTL) and the assets bucket named by the environment, on
// whatever endpoints the SDK's own variables name (AWS_ENDPOINT_URL…): stand-ins or a real account.
// Safe to run again: existing resources are left as they are.
import { createAwsClients } from '../adapters/aws/aws-clients.ts';
import { createAwsResources } from '../adapters/aws/aws-resources.ts';
import { ConfigError, loadResourceSettings, type ResourceSettings } from '../config.ts';

function readNames(): ResourceSettings | undefined {
  try {
    return loadResourceSettings();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) console.error(problem);
    return undefined;
  }
}

async function main(): Promise<number> {
  const names = readNames();
  if (!names) return 1;
  const { region, forcePathStyle } = names;
  // Creating a table can take a while on a real account; be patient with each call.
  const clients = createAwsClients({ region, forcePathStyle, requestTimeoutMs: 30_000, connectionTimeoutMs: 5_000 });
  try {
    await createAwsResources(clients, names, (line) => console.log(line));
    return 0;
  } catch (err) {
    console.error(`could not create the AWS resources: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    return 1;
  } finally {
    clients.destroy();
  }
}

process.exitCode = await main();
