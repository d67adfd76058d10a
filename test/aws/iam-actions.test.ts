// The task role's actions come from TASK_ADAPTERS: these tests read every adapter's source so a new
// SDK command cannot ship without its permission, and keep docs/deploying.md's copy generated.
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { ACTION_OF_COMMAND, DELIVERY_ADAPTERS, SIGNED_NOT_SENT, TASK_ADAPTERS, WORKFLOW_ADAPTERS, WORKFLOW_STEP_ACTIONS, taskRoleStatements, type ResourceArns } from '../../src/adapters/aws/iam-actions.ts';
import { documentedTaskPolicy, POLICY_END, POLICY_START, withDocumentedPolicy } from '../../src/adapters/aws/iam-policy-document.ts';

const awsDir = new URL('../../src/adapters/aws/', import.meta.url);
const ARNS: ResourceArns = {
  jobTable: 'arn:aws:dynamodb:r:1:table/jobs', usageTable: 'arn:aws:dynamodb:r:1:table/usage', bucket: 'arn:aws:s3:::assets',
  stateMachine: 'arn:aws:states:r:1:stateMachine:sm', stateMachineName: 'sm', statesPrefix: 'arn:aws:states:r:1',
  providerSecret: 'arn:aws:secretsmanager:r:1:secret:p', deliveryQueue: 'arn:aws:sqs:r:1:webhooks',
};

function commandsSentBy(file: string): string[] {
  const source = readFileSync(new URL(file, awsDir), 'utf8');
  return [...new Set([...source.matchAll(/new (\w+Command)\(/g)].map((m) => m[1] as string))].sort();
}

t.test('every adapter that sends an SDK command is listed, with exactly the commands it sends', async (t) => {
  const sending = readdirSync(awsDir).filter((f) => f.endsWith('.ts') && commandsSentBy(f).length > 0);
  // aws-resources.ts is the create-resources tool's (CreateTable…), run by an operator, never by the task.
  // Each file is listed for the task, the workflow's Lambdas, the delivery Lambda, or several; together they name every command it sends.
  const all = [...TASK_ADAPTERS, ...WORKFLOW_ADAPTERS, ...DELIVERY_ADAPTERS];
  t.same(sending.filter((f) => f !== 'aws-resources.ts').sort(), [...new Set(all.map((a) => a.file))].sort());
  for (const file of sending.filter((f) => f !== 'aws-resources.ts')) {
    // Permissions for requests the task signs but others send (the upload form) are listed, not sent.
    const listed = [...new Set(all.filter((a) => a.file === file).flatMap((a) => a.uses.flatMap((u) => u.commands)))].filter((c) => !SIGNED_NOT_SENT.includes(c)).sort();
    t.same(listed, commandsSentBy(file), file);
  }
});

t.test('the statements name each resource once, with exact ARNs and no wildcard action', async (t) => {
  const statements = taskRoleStatements(ARNS);
  t.same(statements.map((s) => s.Resource), [
    'arn:aws:dynamodb:r:1:table/jobs', 'arn:aws:dynamodb:r:1:table/jobs/index/byUser',
    'arn:aws:dynamodb:r:1:table/jobs/index/undispatchedEvents', 'arn:aws:dynamodb:r:1:table/usage', 'arn:aws:dynamodb:r:1:table/usage/index/deliveriesByTarget',
    'arn:aws:dynamodb:r:1:table/usage/index/deliveriesByJob', 'arn:aws:dynamodb:r:1:table/usage/index/deliveriesDue',
    'arn:aws:s3:::assets/videos/*', 'arn:aws:s3:::assets', 'arn:aws:s3:::assets/uploads/*', 'arn:aws:s3:::assets/inputs/*', 'arn:aws:states:r:1:stateMachine:sm', 'arn:aws:states:r:1:execution:sm:*',
    'arn:aws:secretsmanager:r:1:secret:p', 'arn:aws:sqs:r:1:webhooks',
  ]);
  t.same(statements[7]?.Action, ['s3:GetObject'], 'the API only reads videos: writing them is the workflow\'s');
  t.same(statements[3]?.Action, ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], 'usage + idempotency merged');
  t.same(statements[9]?.Action, ['s3:GetObject', 's3:PutObject'], 'uploads: sign the form (PutObject), read them to copy');
  t.same(statements[10]?.Action, ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], "a job's own copy");
  for (const s of statements) t.notOk(s.Action.some((a) => a.includes('*')), `${s.Sid} has no wildcard action`);
  t.throws(() => taskRoleStatements(ARNS, [{ file: 'x.ts', uses: [{ resource: 'bucket', commands: ['ListObjectsV2Command'] }] }]), /ListObjectsV2Command/);
  t.same(statements.at(-1), { Sid: 'QueueWebhookDeliveries', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: 'arn:aws:sqs:r:1:webhooks' }, 'the dispatcher only sends to the queue (SendMessageBatch is authorized as sqs:SendMessage)');
  t.ok(Object.values(ACTION_OF_COMMAND).every((a) => /^(dynamodb|s3|states|secretsmanager|sqs):[A-Z]\w+$/.test(a)));
});

t.test("docs/deploying.md quotes the generated policy (run `npm run iam-policy` after changing TASK_ADAPTERS)", async (t) => {
  const doc = readFileSync(new URL('../../docs/deploying.md', import.meta.url), 'utf8');
  t.equal(withDocumentedPolicy(doc), doc);
  t.ok(doc.includes(documentedTaskPolicy()));
  t.not(withDocumentedPolicy(doc, '{}'), doc, 'a different policy would change the doc');
  t.throws(() => withDocumentedPolicy(`no markers ${POLICY_END} ${POLICY_START}`), /markers/);
});

t.test('`npm run iam-policy` leaves an up-to-date doc as it is', async (t) => {
  const file = new URL('../../docs/deploying.md', import.meta.url);
  const before = readFileSync(file, 'utf8');
  // Run only against a doc in sync (the test above says so otherwise): the tool must never rewrite it here.
  if (withDocumentedPolicy(before) !== before) {
    t.fail('docs/deploying.md is out of date: run npm run iam-policy');
    return;
  }
  const logged: string[] = [];
  const log = console.log;
  console.log = (line: string) => logged.push(line);
  try {
    await import('../../src/tools/write-iam-policy.ts');
  } finally {
    console.log = log;
  }
  t.same(logged, ['docs/deploying.md: policy already up to date']);
  t.equal(readFileSync(file, 'utf8'), before);
});

t.test('the delivery Lambda may take and store deliveries, read and disable endpoints, sign video URLs: nothing of the jobs table, the queue only through its event source', async (t) => {
  const statements = taskRoleStatements(ARNS, DELIVERY_ADAPTERS);
  t.same(statements.map((s) => [s.Resource, s.Action]), [
    ['arn:aws:dynamodb:r:1:table/usage', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    ['arn:aws:s3:::assets/videos/*', ['s3:GetObject']],
  ]);
});

t.test("the workflow steps' actions are what their adapters send: the job update is a conditional UpdateItem", async (t) => {
  t.same(WORKFLOW_STEP_ACTIONS.jobTable, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  t.same(WORKFLOW_STEP_ACTIONS.bucket, ['s3:DeleteObject', 's3:PutObject']);
  t.same(WORKFLOW_STEP_ACTIONS.usageTable, ['dynamodb:UpdateItem'], 'an ended job settles the month\'s spend: one conditional UpdateItem');
  t.same(WORKFLOW_STEP_ACTIONS.inputs, ['s3:GetObject'], 'start images are only read (through a URL the step signs)');
  t.same(WORKFLOW_STEP_ACTIONS.providerSecret, ['secretsmanager:GetSecretValue']);
});
