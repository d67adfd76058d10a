// `cdk synth` / `cdk deploy` entry point (cdk.json "app"). Settings come from cdk.json's context or
// `-c name=value`; deploy-time values are the stack's CloudFormation parameters (README "Deploying").
import { buildApp } from '../lib/build-app.ts';

buildApp().app.synth();
