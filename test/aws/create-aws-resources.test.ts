import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { JOB_INDEX, JOB_LIST_KEY } from '../../src/adapters/aws/table-definitions.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { startS3rver } from '../helpers/s3rver.ts';

const run = promisify(execFile);
const TOOL = new URL('../../src/tools/create-aws-resources.ts', import.meta.url).pathname;
// The tool runs as its own process, as `npm run aws:create-resources` would (Node strips its types).

async function tool(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !/_TABLE$|^ASSETS_BUCKET$/.test(name)));
  try {
    const { stdout, stderr } = await run(process.execPath, [TOOL], { env: { ...clean, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

t.test('creates both tables and the bucket on the endpoints the SDK variables name, and can run again', async (t) => {
  const dynamo = await startDynalite(t);
  const s3 = await startS3rver(t);
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    JOB_TABLE: 'omnigen-jobs',
    USAGE_TABLE: 'omnigen-usage',
    ASSETS_BUCKET: 'omnigen-assets',
    S3_FORCE_PATH_STYLE: 'true',
  };
  const first = await tool(env);
  t.equal(first.code, 0, first.code === 0 ? 'exit status 0' : first.stderr);
  t.match(first.stdout, /table omnigen-jobs: created/);
  t.match(first.stdout, /table omnigen-usage: created/);
  t.match(first.stdout, /TTL not enabled/, 'dynalite lacks UpdateTimeToLive: logged, not fatal');
  t.match(first.stdout, /bucket omnigen-assets: created/);

  const jobs = await dynamo.clients.dynamodb.send(new DescribeTableCommand({ TableName: 'omnigen-jobs' }));
  const index = jobs.Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === JOB_INDEX);
  t.same(index?.KeySchema, [{ AttributeName: 'userId', KeyType: 'HASH' }, { AttributeName: JOB_LIST_KEY, KeyType: 'RANGE' }]);
  await s3.s3.send(new HeadBucketCommand({ Bucket: 'omnigen-assets' }));

  const second = await tool(env);
  t.equal(second.code, 0, second.code === 0 ? 'exit status 0 again' : second.stderr);
  t.match(second.stdout, /table omnigen-jobs: exists[\s\S]*table omnigen-usage: exists[\s\S]*bucket omnigen-assets: exists/);
});

t.test('missing settings: exit status 1 and one line per problem', async (t) => {
  const result = await tool({ S3_FORCE_PATH_STYLE: 'yes' });
  t.equal(result.code, 1);
  t.same(result.stderr.trim().split('\n').map((line) => line.split(':')[0]), ['AWS_REGION', 'JOB_TABLE', 'USAGE_TABLE', 'ASSETS_BUCKET', 'S3_FORCE_PATH_STYLE']);
});
