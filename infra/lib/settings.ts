// Synth-time settings (cdk.json "context", or `cdk synth -c name=value`) and the feature flags the
// app is written against. Deploy-time values (certificate, URLs) are CloudFormation parameters instead.
import { readFileSync } from 'node:fs';
import type { Node } from 'constructs';
import { parseCatalogue } from '../../src/domain/model-catalogue.ts';
import { MODEL_REF } from '../../src/lambda-config.ts';

export interface Settings {
  /** The region the stack deploys to; the account stays a deploy-time value, so synth needs none. */
  region: string;
  /** One NAT gateway per AZ (2) survives an AZ outage; 1 halves the at-rest cost. */
  natGateways: number;
  desiredCount: number;
  maxCount: number;
  logRetentionDays: number;
  /** VIDEO_MODEL_MUSIC_VIDEO / VIDEO_MODEL_AD_CREATIVE of the StartGeneration function; unset → the code's default model. */
  videoModels: { 'music-video'?: string; 'ad-creative'?: string };
  /**
   * The operator's model catalogue (context videoModelsFile: a path to a models.json), checked at synth and
   * given to the API and the functions that read it as VIDEO_MODELS_JSON; unset → the bundled catalogue.
   */
  videoModelsJson?: string;
}

/** Lambda allows 4 KB of environment per function: the catalogue must leave room for the rest. */
const CATALOGUE_ENV_MAX = 3000;

/** The catalogue file, checked, without what only its readers need (sources, comments), minified. */
export function catalogueEnv(path: string): string {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  parseCatalogue(raw, `context videoModelsFile (${path})`);
  const models = (raw.models as Record<string, unknown>[]).map(({ sources: _sources, ...rest }) => rest);
  const json = JSON.stringify({ defaults: raw.defaults, models });
  if (json.length > CATALOGUE_ENV_MAX) throw new Error(`context videoModelsFile: ${json.length} characters once minified; at most ${CATALOGUE_ENV_MAX} fit a function's environment`);
  return json;
}

export const DEFAULT_SETTINGS: Settings = { region: 'eu-west-1', natGateways: 2, desiredCount: 2, maxCount: 10, logRetentionDays: 30, videoModels: {} };

export function readSettings(node: Node): Settings {
  const number = (name: keyof Settings, min: number): number => {
    const raw = node.tryGetContext(name) as unknown;
    const value = raw === undefined ? (DEFAULT_SETTINGS[name] as number) : Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`context ${name}: must be an integer ≥ ${min}, got ${String(raw)}`);
    return value;
  };
  const region = String(node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_SETTINGS.region);
  const model = (name: string): string | undefined => {
    const raw = node.tryGetContext(name) as unknown;
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string' || !MODEL_REF.test(raw)) throw new Error(`context ${name}: expected owner/name or owner/name:<64 hex version>, got ${String(raw)}`);
    return raw;
  };
  const videoModels: Settings['videoModels'] = {};
  const music = model('videoModelMusicVideo');
  const ad = model('videoModelAdCreative');
  if (music) videoModels['music-video'] = music;
  if (ad) videoModels['ad-creative'] = ad;
  const file = node.tryGetContext('videoModelsFile') as unknown;
  const videoModelsJson = typeof file === 'string' && file ? catalogueEnv(file) : undefined;
  const settings = { videoModels, ...(videoModelsJson ? { videoModelsJson } : {}), region, natGateways: number('natGateways', 1), desiredCount: number('desiredCount', 2), maxCount: number('maxCount', 2), logRetentionDays: number('logRetentionDays', 1) };
  if (settings.maxCount < settings.desiredCount) throw new Error('context maxCount: must be at least desiredCount');
  return settings;
}

/** cdk.json's feature flags (the recommended values, `cdk flags --set --unconfigured --recommended`). */
const CDK_JSON_FLAGS = Object.fromEntries(
  Object.entries((JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context)
    .filter(([name]) => name.startsWith('@aws-cdk')),
);

/**
 * The CDK feature flags this app is written and tested against: what `cdk init` would write, and cdk.json's,
 * so the tests build the stack under the same flags as `cdk synth`.
 */
export const FEATURE_FLAGS = {
  ...CDK_JSON_FLAGS,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:validateSnapshotRemovalPolicy': true,
  '@aws-cdk/aws-ecs:arnFormatIncludesClusterName': true,
  '@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker': true,
  '@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm': true,
  '@aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-s3:publicAccessBlockedByDefault': true,
  '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true,
  '@aws-cdk/aws-lambda:createNewPoliciesWithAddToRolePolicy': true,
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
};
