// Webhook delivery as deployed: the queue (SSE, TLS only, a dead-letter queue after MAX_RECEIVE_COUNT
// receives, visibility six times the function's timeout), the alarm on the dead-letter queue, the delivery
// function (Node 24, its own bundle, exactly the variables its configuration reads), its event source
// mapping with partial batch answers, and least-privilege roles: the function's from DELIVERY_ADAPTERS plus
// what the event source mapping needs, the API task's sqs:SendMessage on this queue only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DELIVERY_ADAPTERS, EVENT_SOURCE_ACTIONS, taskRoleStatements } from '../../src/adapters/aws/iam-actions.ts';
import { DELIVERY_ENV, LAMBDA_RUNTIME_ENV } from '../../src/lambda-config.ts';
import { DELIVERY_TIMEOUT, MAX_RECEIVE_COUNT } from '../lib/webhooks.ts';
import { list, policyStatements, props, resources } from './helpers.ts';
import { helpersFor } from './variants.ts';

const { template, stack } = helpersFor({ workflow: true });
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
const queueId = idOf(stack.webhooks.queue);
const dlqId = idOf(stack.webhooks.deadLetterQueue);
const fn = props(json.Resources[idOf(stack.webhooks.function)]!);
const roleId = idOf(stack.webhooks.role);
const statementsOf = (role: string) => policyStatements(template).filter((s) => JSON.stringify(json.Resources[s.where]?.Properties?.Roles ?? []).includes(role)).map((s) => s.statement);

describe('webhook delivery', () => {
  test('the queue: SQS-managed encryption, a dead-letter queue after MAX_RECEIVE_COUNT receives, visibility six times the function timeout', () => {
    const queue = props(json.Resources[queueId]!);
    assert.equal(queue.SqsManagedSseEnabled, true);
    assert.deepEqual(queue.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: MAX_RECEIVE_COUNT });
    assert.equal(queue.VisibilityTimeout, DELIVERY_TIMEOUT.toSeconds() * 6);
    assert.equal(props(json.Resources[dlqId]!).SqsManagedSseEnabled, true);
    for (const id of [queueId, dlqId]) {
      const policy = resources(template, 'AWS::SQS::QueuePolicy').map(([, p]) => props(p)).find((p) => JSON.stringify(p.Queues).includes(id));
      const deny = (policy?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)?.Statement.find((st) => st.Effect === 'Deny');
      assert.deepEqual(deny?.Condition, { Bool: { 'aws:SecureTransport': 'false' } }, `${id} refuses requests without TLS`);
    }
  });

  test('an alarm fires on the first message in the dead-letter queue, to the alarm topic', () => {
    const alarm = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => props(a)).find((a) => JSON.stringify(a.Dimensions ?? []).includes(dlqId));
    assert.ok(alarm, 'an alarm on the dead-letter queue');
    assert.equal(alarm.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.equal(alarm.Threshold, 1);
    assert.equal(alarm.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
    assert.deepEqual(alarm.AlarmActions, [{ Ref: idOf(stack.observability.topic) }]);
  });

  test('the function: Node 24, its timeout, exactly the variables its configuration reads, every required one', () => {
    assert.equal(fn.Runtime, 'nodejs24.x');
    assert.equal(fn.Handler, 'deliver-webhooks.handler');
    assert.equal(fn.Timeout, DELIVERY_TIMEOUT.toSeconds());
    const env = Object.keys((fn.Environment as { Variables: Record<string, unknown> }).Variables);
    const runtime: readonly string[] = LAMBDA_RUNTIME_ENV;
    for (const name of DELIVERY_ENV.required.filter((n) => !runtime.includes(n))) assert.ok(env.includes(name), `${name} is set`);
    assert.deepEqual(env.filter((name) => ![...DELIVERY_ENV.required, ...DELIVERY_ENV.optional, 'NODE_OPTIONS'].includes(name)), [], 'nothing it does not read');
  });

  test('the event source mapping: the queue, to the function, with ReportBatchItemFailures', () => {
    const [mapping, ...more] = resources(template, 'AWS::Lambda::EventSourceMapping').map(([, m]) => props(m));
    assert.equal(more.length, 0);
    assert.deepEqual(mapping?.EventSourceArn, { 'Fn::GetAtt': [queueId, 'Arn'] });
    assert.deepEqual(mapping?.FunctionName, { Ref: idOf(stack.webhooks.function) });
    assert.deepEqual(mapping?.FunctionResponseTypes, ['ReportBatchItemFailures']);
  });

  test("the function's role: DELIVERY_ADAPTERS' statements and the event source mapping's actions on this queue, nothing else", () => {
    const own = statementsOf(roleId);
    const actions = (s: Record<string, unknown>) => list(s.Action as string | string[]).sort();
    const expected = taskRoleStatements({ jobTable: 'j', usageTable: 'u', bucket: 'b', stateMachine: 's', stateMachineName: 's', statesPrefix: 'p', providerSecret: 'x', deliveryQueue: 'q' }, DELIVERY_ADAPTERS);
    for (const e of expected) assert.deepEqual(actions(own.find((s) => s.Sid === e.Sid) ?? {}), e.Action, e.Sid);
    const consume = own.find((s) => s.Sid === 'EventSourceMapping');
    assert.deepEqual(actions(consume ?? {}), [...EVENT_SOURCE_ACTIONS].sort());
    assert.deepEqual(consume?.Resource, { 'Fn::GetAtt': [queueId, 'Arn'] });
    const all = own.flatMap(actions);
    assert.ok(!all.some((a) => a.startsWith('sqs:Send') || a.startsWith('states:') || a === 'sqs:ChangeMessageVisibility'), 'it neither sends to the queue nor touches the workflow');
    assert.ok(!JSON.stringify(own).includes(idOf(stack.data.jobTable)), 'no access to the jobs table: a delivery carries its job');
  });

  test("the API task may send to this queue only, and is told its URL", () => {
    const send = statementsOf(idOf(stack.service.taskRole)).filter((s) => list(s.Action as string | string[]).some((a) => a.startsWith('sqs:')));
    assert.deepEqual(send.map((s) => [list(s.Action as string | string[]), s.Resource]), [[['sqs:SendMessage'], { 'Fn::GetAtt': [queueId, 'Arn'] }]]);
    const container = (props(resources(template, 'AWS::ECS::TaskDefinition')[0]![1]).ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[])[0]!;
    assert.deepEqual(container.Environment.find((e) => e.Name === 'WEBHOOK_QUEUE_URL')?.Value, { Ref: queueId });
  });
});
