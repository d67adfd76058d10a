// Least privilege and the AwsSolutions pack, over every policy the template holds — the task role's
// statements coming from src/adapters/aws/iam-actions.ts, the single source of the adapters' calls.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import { taskRoleStatements } from '../../src/adapters/aws/iam-actions.ts';
import { list, policyStatements } from './helpers.ts';
import { helpersFor } from './variants.ts';

/** Actions AWS authorizes on "*" only (no resource-level permissions), so "*" is the narrowest there is. */
const RESOURCE_STAR_ONLY = new Set([
  'ecr:GetAuthorizationToken',
  'logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery',
  'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
]);

export function wildcardProblems(statements: { where: string; statement: Record<string, unknown> }[]): string[] {
  const problems: string[] = [];
  for (const { where, statement } of statements) {
    if (statement.Effect !== 'Allow') continue;
    const actions = list(statement.Action as string | string[]);
    for (const action of actions) if (action === '*' || action.endsWith(':*')) problems.push(`${where}: wildcard action ${action}`);
    if (statement.NotAction || statement.NotResource) problems.push(`${where}: NotAction/NotResource`);
    const star = list(statement.Resource as unknown).includes('*');
    // Key policies name their own key as "*"; they are resource policies, not in this list.
    if (star) for (const action of actions) if (!RESOURCE_STAR_ONLY.has(action)) problems.push(`${where}: ${action} on "*" (it supports a narrower resource)`);
  }
  return problems;
}

for (const [variant, options] of [['placeholder workflow', {}], ['with workflow steps', { workflow: true }]] as const) {
  describe(`IAM and cdk-nag (${variant})`, () => {
    const { template, stack } = helpersFor(options);

    test('no statement allows a wildcard action, nor "*" where the action supports a narrower resource', () => {
      const statements = policyStatements(template);
      assert.ok(statements.length > 5);
      assert.deepEqual(wildcardProblems(statements), []);
    });

    test('the task role holds exactly the statements iam-actions.ts gives for this stack', () => {
      const role = stack.service.taskRole;
      const policy = role.node.findChild('DefaultPolicy').node.defaultChild as unknown as { policyDocument: unknown };
      const resolved = stack.resolve(policy.policyDocument) as { Statement: Record<string, unknown>[] };
      const wf = stack.workflow.stateMachine;
      const expected = taskRoleStatements({
        jobTable: stack.data.jobTable.tableArn, usageTable: stack.data.usageTable.tableArn, bucket: stack.data.bucket.bucketArn,
        stateMachine: wf.stateMachineArn, stateMachineName: wf.stateMachineName, statesPrefix: `arn:${Stack.of(wf).partition}:states:${Stack.of(wf).region}:${Stack.of(wf).account}`,
        providerSecret: stack.workflow.providerSecret.secretArn, deliveryQueue: stack.webhooks.queue.queueArn,
      }).map((s) => ({ Sid: s.Sid, Effect: 'Allow', Action: s.Action.length === 1 ? s.Action[0] : s.Action, Resource: stack.resolve(s.Resource) }));
      const sort = (xs: Record<string, unknown>[]) => [...xs].sort((a, b) => String(a.Sid).localeCompare(String(b.Sid)));
      assert.deepEqual(sort(resolved.Statement), sort(expected));
      const roles = Object.values(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })] } } }));
      for (const r of roles) assert.equal((r as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns, undefined, 'no managed policy on the task or execution role');
    });

    test('the AwsSolutions checks leave no error and no warning', () => {
      const nag = Match.stringLikeRegexp('AwsSolutions-.*');
      assert.deepEqual(Annotations.fromStack(stack).findError('*', nag).map((m) => `${m.id}: ${String(m.entry.data)}`), []);
      assert.deepEqual(Annotations.fromStack(stack).findWarning('*', nag).map((m) => `${m.id}: ${String(m.entry.data)}`), []);
    });

    test('every suppression says why', () => {
      let count = 0;
      for (const resource of Object.values(template.toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>)) {
        for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
          count += 1;
          assert.ok(rule.reason.length >= 40, `${rule.id} has a real reason: "${rule.reason}"`);
        }
      }
      assert.ok(count > 0);
    });
  });
}

test('the wildcard check can fail', () => {
  const at = (statement: Record<string, unknown>) => wildcardProblems([{ where: 'x', statement: { Effect: 'Allow', ...statement } }]);
  assert.equal(at({ Action: '*', Resource: 'arn:x' }).length, 1);
  assert.equal(at({ Action: 's3:*', Resource: 'arn:x' }).length, 1);
  assert.equal(at({ Action: ['s3:GetObject'], Resource: '*' }).length, 1);
  assert.deepEqual(at({ Action: ['xray:PutTraceSegments'], Resource: '*' }), []);
  assert.deepEqual(at({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/videos/*' }), []);
});
