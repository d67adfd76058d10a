// The template's roles against what the code sends: every SDK command each role's code can send (the
// adapters' own list, src/adapters/aws/iam-actions.ts) is allowed on the stack's resources, evaluated
// as the stack:local IAM proxies evaluate it, and nothing else is granted.
import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { ACTION_OF_COMMAND, DELIVERY_ADAPTERS, EVENT_SOURCE_ACTIONS, resourceArn, TASK_ADAPTERS, WORKFLOW_ADAPTERS, type AdapterAccess, type ResourceArns, type ResourceKind } from '../../src/adapters/aws/iam-actions.ts';
import { containerSpec } from '../../scripts/stack-local/api-task.ts';
import { IamPolicies, wildcard, type Role } from '../../scripts/stack-local/iam-policies.ts';
import { ACCOUNT_ID, ensureSynth, Template } from '../../scripts/stack-local/template.ts';
import { projectRoot } from '../helpers/server-process.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// Synthesising (when infra/cdk.out is stale) may take longer than the suite's 120 s per file.
t.setTimeout(360_000);
// The synth (npm, the CDK app, when infra/cdk.out is stale) is tooling: run unmeasured (helpers/unmeasured.ts).
startChildrenUnmeasured();
const { file, region, stackName } = ensureSynth(projectRoot);
const template = Template.load(file, region, stackName);
// The stack's URL only shapes the auth parameters, which no policy names.
Object.assign(template.parameterValues, { PublicUrl: 'http://127.0.0.1:1', CallbackUrl: 'http://127.0.0.1:1/cb', LogoutUrl: 'http://127.0.0.1:1/out', AuthDomainPrefix: 'omnigen-local', CertificateArn: 'arn:aws:acm:x:1:certificate/x' });
// No cache runs here: its endpoint only shapes REDIS_URL.
for (const id of template.ofType('AWS::ElastiCache::ServerlessCache')) template.attributes.set(id, { 'Endpoint.Address': '127.0.0.1', 'Endpoint.Port': '6379' });
const iam = new IamPolicies(template);
const task = containerSpec(template);
const env = task.environment;
const stateMachineName = String(env.STEP_FUNCTIONS_ARN).split(':').pop() as string;
const arns: ResourceArns = {
  jobTable: `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${env.JOB_TABLE}`,
  usageTable: `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${env.USAGE_TABLE}`,
  bucket: `arn:aws:s3:::${env.ASSETS_BUCKET}`,
  stateMachine: String(env.STEP_FUNCTIONS_ARN),
  stateMachineName,
  statesPrefix: `arn:aws:states:${region}:${ACCOUNT_ID}`,
  providerSecret: String(env.PROVIDER_SECRET_ARN),
  // The queue's URL is …/<account>/<name>; its ARN arn:aws:sqs:<region>:<account>:<name>.
  deliveryQueue: `arn:aws:sqs:${region}:${String(env.WEBHOOK_QUEUE_URL).split('/').slice(-2).join(':')}`,
};
/** One concrete resource of each kind, as a request names it (a job's execution, a video's object). */
const jobId = randomUUID();
const concrete = (kind: ResourceKind): string => resourceArn(kind, arns).replace(/\*$/, kind === 'videoObjects' ? `${jobId}.mp4` : jobId);

/** What the Lambda service itself does with a function's role (its logs, its traces), not the function's code. */
const RUNTIME_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

function check(t: Test, role: Role, uses: AdapterAccess['uses'], service: { action: string; resource: string; command: string }[] = []): void {
  const needed = [...uses.flatMap(({ resource, commands }) => commands.map((command) => ({ action: ACTION_OF_COMMAND[command] as string, resource: concrete(resource), command }))), ...service];
  for (const need of needed) t.ok(iam.allows(role, need.action, need.resource), `${role.id} may ${need.action} on ${need.resource} (${need.command})`);
  for (const grant of iam.grants(role)) {
    if (RUNTIME_ACTIONS.includes(grant.action)) continue;
    const used = needed.some((n) => wildcard(grant.action, n.action, true) && wildcard(grant.resource, n.resource));
    t.ok(used, `${role.id} is granted ${grant.action} on ${grant.resource}, which its code never sends there`);
  }
}

const roleOf = (arn: string): Role => [...iam.roles.values()].find((r) => r.arn === arn) as Role;

t.test('the API task role allows every command the API\'s adapters send, and nothing more', async (t) => {
  check(t, roleOf(task.taskRoleArn), TASK_ADAPTERS.flatMap((a) => a.uses));
});

t.test('each function\'s role allows what the workflow adapters send on each resource its environment names, and nothing more', async (t) => {
  const byVariable: Record<string, ResourceKind> = { JOB_TABLE: 'jobTable', USAGE_TABLE: 'usageTable', PROVIDER_SECRET_ARN: 'providerSecret' };
  // The bucket's variable names the bucket; which of its prefixes a step uses is its code's (lambda-config.ts).
  const bucketUse: Record<string, ResourceKind> = { 'start-generation': 'inputObjects', 'store-video': 'videoObjects' };
  const functions = template.ofType('AWS::Lambda::Function');
  t.ok(functions.length > 0, 'the template has functions');
  for (const id of functions) {
    const props = template.resource(id).Properties ?? {};
    if (props.Handler === 'deliver-webhooks.handler') continue;
    const variables = template.resolve((props.Environment as { Variables?: never } | undefined)?.Variables ?? {}) as Record<string, string>;
    const kinds = Object.entries(byVariable).filter(([name]) => name in variables).map(([, kind]) => kind);
    const entry = String(props.Handler).replace(/\.handler$/, '');
    if ('ASSETS_BUCKET' in variables) kinds.push(bucketUse[entry] ?? 'bucket');
    const uses = WORKFLOW_ADAPTERS.flatMap((a) => a.uses).filter((u) => kinds.includes(u.resource));
    check(t, roleOf(template.string(props.Role)), uses);
  }
});

t.test("the delivery function's role allows what its adapters send and what its event source mapping does on the queue, and nothing more", async (t) => {
  const id = template.ofType('AWS::Lambda::Function').find((f) => template.resource(f).Properties?.Handler === 'deliver-webhooks.handler');
  t.ok(id, 'the template has the delivery function');
  const role = roleOf(template.string(template.resource(String(id)).Properties?.Role));
  const polling = EVENT_SOURCE_ACTIONS.map((action) => ({ action, resource: arns.deliveryQueue, command: 'the event source mapping' }));
  check(t, role, DELIVERY_ADAPTERS.flatMap((a) => a.uses), polling);
  t.notOk(iam.allows(role, 'sqs:SendMessage', arns.deliveryQueue), 'it never sends to its own queue');
});
