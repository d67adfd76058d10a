// `npm run aws:create-resources`: creates the jobs table (with its listing index), the usage table
// (usage counters and idempotency claims, with TTL) and the assets bucket named by the environment, on
// whatever endpoints the SDK's own variables name (AWS_ENDPOINT_URL…): stand-ins or a real account.
// Safe to run again: existing resources are left as they are.
import { createAwsClients } from '../adapters/aws/aws-clients.js';
import { createAwsResources } from '../adapters/aws/aws-resources.js';

function required(name: string, problems: string[]): string {
  const value = process.env[name]?.trim();
  if (!value) problems.push(`${name}: required, but not set`);
  return value ?? '';
}

async function main(): Promise<number> {
  const problems: string[] = [];
  const region = process.env.AWS_REGION?.trim() || process.env.AWS_DEFAULT_REGION?.trim() || '';
  if (!region) problems.push('AWS_REGION: required, but not set');
  const names = { region, jobTable: required('JOB_TABLE', problems), usageTable: required('USAGE_TABLE', problems), bucket: required('ASSETS_BUCKET', problems) };
  const pathStyle = process.env.S3_FORCE_PATH_STYLE?.trim() || 'false';
  if (pathStyle !== 'true' && pathStyle !== 'false') problems.push(`S3_FORCE_PATH_STYLE: must be true or false, got "${pathStyle}"`);
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    return 1;
  }
  // Creating a table can take a while on a real account; be patient with each call.
  const clients = createAwsClients({ region, forcePathStyle: pathStyle === 'true', requestTimeoutMs: 30_000, connectionTimeoutMs: 5_000 });
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
