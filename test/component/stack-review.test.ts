/**
 * The stack reviewed by cdk-nag's AwsSolutions pack. cdk-nag 3 is a CDK policy-validation plugin
 * (no longer an Aspect writing Annotations): `validateScope` walks the construct tree and reports
 * what `Validations.of(app).addPlugins(...)` would at synth, with acknowledgments
 * (`Validations.of(construct).acknowledge({ id, reason })`) honoured. aws-cdk-lib 2.276 does not
 * hand plugins the construct tree yet, so the app itself does not register the pack.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EventlakeStack } from '../../infra/eventlake-stack.js';

function review(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack.node.root, { verbose: true }).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} on ${r.constructPath}: ${v.description}`));
}

function acknowledgments(stack: Stack): { path: string; id: string; reason: string }[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^Annotation::/, ''), reason }))),
  );
}

describe('the stack under cdk-nag\'s AwsSolutions pack', () => {
  const app = new App({ analyticsReporting: false });
  const stack = new EventlakeStack(app, 'EventlakeStack');

  it('has no unacknowledged finding, error or warning', () => {
    expect(review(stack)).toEqual([]);
    app.synth();
    const annotations = Annotations.fromStack(stack);
    expect([...annotations.findError('*', Match.anyValue()), ...annotations.findWarning('*', Match.anyValue())]).toEqual([]);
    // Synthesis stages the image folder; on a loaded machine that can take a while.
  }, 180_000);

  it('acknowledges exactly these findings, each beside its cause with a reason', () => {
    const found = acknowledgments(stack);
    expect(found.map(({ path, id }) => `${path} ${id}`).sort()).toEqual(
      [
        'EventlakeStack/AccessLogBucket AwsSolutions-S1',
        'EventlakeStack/FanoutDeadLetters AwsSolutions-SQS3',
        'EventlakeStack/Fanout/Role AwsSolutions-IAM5[Resource::<WorkerFunctionAF8A26AF.Arn>:*]',
        'EventlakeStack/Snowflake/Credentials AwsSolutions-SMG4',
        'EventlakeStack/Snowflake/IntegrationRole AwsSolutions-IAM5[Resource::<LakeBucket9CD7BBD2.Arn>/operating_period/*]',
        'EventlakeStack/Snowflake/IntegrationRole AwsSolutions-IAM5[Resource::<LakeBucket9CD7BBD2.Arn>/vehicle/*]',
        'EventlakeStack/Worker/Role AwsSolutions-IAM5[Resource::<LakeBucket9CD7BBD2.Arn>/*]',
        'EventlakeStack/Worker/Role AwsSolutions-IAM5[Resource::<SourceBucketDDD2130A.Arn>/*]',
      ].sort(),
    );
    for (const { reason } of found) expect(reason.length).toBeGreaterThan(60);
    // Rotation is not automated, and the reason says so.
    expect(found.find((a) => a.id === 'AwsSolutions-SMG4')!.reason).toMatch(/^Not rotated automatically: .*Rotate by hand/);
  });

  it('would report what it acknowledges (the review is not vacuous)', () => {
    const probe = new Stack(new App(), 'Probe');
    new Bucket(probe, 'Unlogged', { enforceSSL: true });
    expect(review(probe)).toEqual([expect.stringMatching(/^error AwsSolutions-S1 on Probe\/Unlogged\/Resource: The S3 Bucket has server access logs disabled/)]);
  });
});
