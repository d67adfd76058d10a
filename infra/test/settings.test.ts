// Synth-time settings: defaults, overrides and refusals, before anything is built.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { DEFAULT_SETTINGS, readSettings } from '../lib/settings.ts';
import { synth } from './helpers.ts';

const read = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

test('defaults, and overrides from context (cdk.json or -c)', () => {
  assert.deepEqual(read({}), { ...DEFAULT_SETTINGS, region: process.env.CDK_DEFAULT_REGION ?? DEFAULT_SETTINGS.region });
  assert.deepEqual(read({ region: 'us-east-1', natGateways: '1', desiredCount: 3, maxCount: 6 }), { ...DEFAULT_SETTINGS, region: 'us-east-1', natGateways: 1, desiredCount: 3, maxCount: 6 });
});

test('refuses what would break the service', () => {
  assert.throws(() => read({ natGateways: 0 }), /natGateways/);
  assert.throws(() => read({ desiredCount: 1 }), /desiredCount.*≥ 2/);
  assert.throws(() => read({ desiredCount: 4, maxCount: 3 }), /maxCount/);
  assert.throws(() => read({ logRetentionDays: 'x' }), /logRetentionDays/);
  assert.throws(() => synth({ context: { logRetentionDays: 8 } }), /CloudWatch allows/);
});

test('one NAT gateway when asked (the cheaper, single-AZ-egress setup)', () => {
  synth({ context: { natGateways: 1 } }).template.resourceCountIs('AWS::EC2::NatGateway', 1);
});
