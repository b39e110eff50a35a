import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventlakeStack, type EventlakeStackProps } from '../../infra/eventlake-stack.js';
import { SNOWFLAKE_SECRET_FIELDS } from '../../src/warehouse/snowflake/snowflake-secret.js';
import { deployedResources } from './cfn-evaluate.js';
import { refusedBy } from './cfn-rules.js';

function synth(props: EventlakeStackProps = {}): Template {
  const app = new App({ analyticsReporting: false });
  return Template.fromStack(new EventlakeStack(app, 'EventlakeStack', props));
}

type Resources = Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;

describe('EventlakeStack', () => {
  let template: Template;
  let resources: Resources;
  const ids = (type: string): string[] => Object.keys(template.findResources(type));
  const ref = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
  const bucketId = (prefix: string): string => ids('AWS::S3::Bucket').find((id) => id.startsWith(`${prefix}Bucket`))!;

  beforeAll(() => {
    template = synth();
    resources = template.toJSON().Resources as Resources;
  });

  it('makes every bucket private, S3-encrypted, TLS-only and retained, with quarantine and staging lifecycle rules', () => {
    const buckets = ids('AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    for (const id of buckets) {
      const bucket = resources[id]!;
      expect(bucket.Properties['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties['BucketEncryption']).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect((resources[id] as { DeletionPolicy?: string } & object)).toMatchObject({ DeletionPolicy: 'Retain' });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    const quarantine = { Id: 'expire-quarantine', Prefix: '_quarantine/', ExpirationInDays: 90, Status: 'Enabled' };
    const staging = { Id: 'expire-staging', Prefix: '_staging/', ExpirationInDays: 2, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' };
    expect(resources[bucketId('Source')]!.Properties['LifecycleConfiguration']).toEqual({ Rules: [quarantine, staging] });
    expect(resources[bucketId('Lake')]!.Properties['LifecycleConfiguration']).toEqual({
      Rules: [
        quarantine,
        { ...staging, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
        { Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
      ],
    });
    expect(resources[bucketId('AccessLog')]!.Properties['LifecycleConfiguration']).toEqual({ Rules: [{ Id: 'expire-access-logs', ExpirationInDays: 365, Status: 'Enabled' }] });
  });

  it('versions the lake only, its replaced and deleted versions expiring after 30 days (staging\'s after 1)', () => {
    expect(resources[bucketId('Lake')]!.Properties['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(resources[bucketId('Source')]!.Properties['VersioningConfiguration']).toBeUndefined();
    expect(resources[bucketId('AccessLog')]!.Properties['VersioningConfiguration']).toBeUndefined();
    const shorter = synth({ lakeNoncurrentDays: 7 }).toJSON().Resources as Resources;
    const lake = Object.entries(shorter).find(([id]) => id.startsWith('LakeBucket'))![1];
    expect((lake.Properties['LifecycleConfiguration'] as { Rules: { Id: string; NoncurrentVersionExpiration?: unknown }[] }).Rules.find((r) => r.Id === 'expire-noncurrent-versions')!.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 7 });
  });

  it('logs every access to the source and lake buckets into an access-log bucket of its own, delivered under its bucket policy', () => {
    const logs = bucketId('AccessLog');
    expect(resources[bucketId('Source')]!.Properties['LoggingConfiguration']).toEqual({ DestinationBucketName: { Ref: logs }, LogFilePrefix: 'source/' });
    expect(resources[bucketId('Lake')]!.Properties['LoggingConfiguration']).toEqual({ DestinationBucketName: { Ref: logs }, LogFilePrefix: 'lake/' });
    expect(resources[logs]!.Properties['LoggingConfiguration']).toBeUndefined();
    // No ACL: S3's log delivery writes under the log bucket's policy, for these two buckets only.
    expect(resources[logs]!.Properties['AccessControl']).toBeUndefined();
    expect(resources[logs]!.Properties['OwnershipControls']).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    const delivery = (bucket: string, prefix: string) =>
      Match.objectLike({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: { ArnLike: { 'aws:SourceArn': ref(bucketId(bucket)) }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        Resource: { 'Fn::Join': ['', [ref(logs), `/${prefix}/*`]] },
      });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logs },
      PolicyDocument: { Statement: Match.arrayWith([delivery('Source', 'source'), delivery('Lake', 'lake')]) },
    });
  });

  it('keeps quarantined lines as long as the stack says', () => {
    const buckets = synth({ quarantineDays: 30 }).toJSON().Resources as Resources;
    const source = Object.entries(buckets).find(([id]) => id.startsWith('SourceBucket'))![1] as unknown as { Properties: { LifecycleConfiguration: { Rules: { ExpirationInDays: number }[] } } };
    expect(source.Properties.LifecycleConfiguration.Rules[0]!.ExpirationInDays).toBe(30);
  });

  it('gives the task queue a dead-letter queue after 3 receives and a visibility timeout of 6 × the worker timeout; every queue is encrypted and TLS-only', () => {
    const tasks = ids('AWS::SQS::Queue').find((id) => id.startsWith('TaskQueuesTasks'))!;
    const deadLetters = ids('AWS::SQS::Queue').find((id) => id.startsWith('TaskQueuesDeadLetters'))!;
    expect(resources[tasks]!.Properties).toMatchObject({
      VisibilityTimeout: 3600,
      RedrivePolicy: { deadLetterTargetArn: ref(deadLetters), maxReceiveCount: 3 },
    });
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Timeout: number } };
    expect(resources[tasks]!.Properties['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
    expect(ids('AWS::SQS::Queue')).toHaveLength(3);
    for (const id of ids('AWS::SQS::Queue')) {
      expect(resources[id]!.Properties['SqsManagedSseEnabled']).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
    const longer = synth({ workerTimeout: Duration.minutes(15) }).findResources('AWS::SQS::Queue');
    expect(Object.values(longer).map((q) => (q as { Properties: { VisibilityTimeout?: number } }).Properties.VisibilityTimeout)).toContain(5400);
  });

  it('runs the worker from the container image with its timeout, memory, architecture, concurrency and environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Code: { ImageUri: Match.anyValue() },
      Timeout: 600,
      MemorySize: 3008,
      Architectures: ['x86_64'],
      ReservedConcurrentExecutions: 20,
      Environment: {
        Variables: {
          EVENTLAKE_SOURCE_PATH: { 'Fn::Join': ['', ['s3://', { Ref: ids('AWS::S3::Bucket').find((id) => id.startsWith('Source')) }, '/']] },
          EVENTLAKE_LAKE_PATH: { 'Fn::Join': ['', ['s3://', { Ref: ids('AWS::S3::Bucket').find((id) => id.startsWith('Lake')) }, '/']] },
          EVENTLAKE_QUEUE_URL: { Ref: ids('AWS::SQS::Queue').find((id) => id.startsWith('TaskQueuesTasks')) },
          EVENTLAKE_SOURCE_LAYOUT: { Ref: 'SourceLayout' },
          EVENTLAKE_LAKE_FORMAT: 'parquet',
          SNOWFLAKE_SECRET_ID: { Ref: ids('AWS::SecretsManager::Secret')[0] },
          POWERTOOLS_SERVICE_NAME: 'eventlake',
        },
      },
    });
  });

  it('takes the reserved concurrency from the stack props, keeps the event source one below, and refuses one too small to share', () => {
    const raised = synth({ workerConcurrency: 40 });
    raised.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 40 });
    raised.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 39 } });
    expect(() => synth({ workerConcurrency: 2 })).toThrow('the worker concurrency must be at least 3 (one for the fan-out, two for the queue), not 2');
  });

  it('feeds the worker from the task queue with partial batch failures, one task per invocation, below its reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: ref(ids('AWS::SQS::Queue').find((id) => id.startsWith('TaskQueuesTasks'))!),
      FunctionName: { Ref: ids('AWS::Lambda::Function')[0] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 19 },
    });
  });

  it('schedules the fan-out hourly at :10 UTC with the "previous hour" payload and its scheduled time, retries and its own dead-letter queue', () => {
    const fanoutDlq = ids('AWS::SQS::Queue').find((id) => id.startsWith('FanoutDeadLetters'))!;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(10 * * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: {
        Arn: ref(ids('AWS::Lambda::Function')[0]!),
        Input: JSON.stringify({ eventlake: 'fanout', hour: 'previous', scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: ref(fanoutDlq) },
      },
    });
    // A fan-out that fails inside the function (after Lambda's async retries) lands there too.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: ref(fanoutDlq) } },
    });
  });

  it('creates the Snowflake secret as a template of empty fields, readable by the worker only', () => {
    const secretId = ids('AWS::SecretsManager::Secret')[0]!;
    const secretString = JSON.parse(resources[secretId]!.Properties['SecretString'] as string) as Record<string, string>;
    expect(Object.keys(secretString)).toEqual(expect.arrayContaining(['account', 'user', 'password', 'private_key', 'private_key_passphrase', 'database', 'schema']));
    // Every key is one the reader understands; the key file path is left out (the worker has no files).
    expect(SNOWFLAKE_SECRET_FIELDS).toEqual(expect.arrayContaining(Object.keys(secretString)));
    expect(Object.keys(secretString)).toEqual(SNOWFLAKE_SECRET_FIELDS.filter((key) => key !== 'private_key_path'));
    expect(Object.values(secretString).every((v) => v === '')).toBe(true);
    const readers = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) => JSON.stringify(p).includes('secretsmanager:'));
    expect(readers).toHaveLength(1);
    expect((readers[0]![1] as { Properties: { Roles: unknown[] } }).Properties.Roles).toEqual([{ Ref: ids('AWS::IAM::Role').find((id) => id.startsWith('WorkerRole')) }]);
    expect(JSON.stringify(readers[0]![1])).toContain(JSON.stringify({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: secretId } }));
  });

  it('lets the Snowflake role be assumed only with the external id, by the account root until DESC INTEGRATION gives the user, and list and read the published entity folders only', () => {
    const roleId = ids('AWS::IAM::Role').find((id) => id.startsWith('SnowflakeIntegrationRole'))!;
    const lake = ids('AWS::S3::Bucket').find((id) => id.startsWith('Lake'))!;
    const trust = (parameters: Record<string, string>) => (deployedResources(template.toJSON(), parameters)[roleId]!.properties['AssumeRolePolicyDocument'] as { Statement: unknown[] }).Statement;
    expect(trust({})).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Condition: { StringEquals: { 'sts:ExternalId': 'eventlake-awaiting-snowflake' } } },
    ]);
    const user = 'arn:aws:iam::999988887777:user/abc1-b-self1234';
    expect(trust({ SnowflakeIamUserArn: user, SnowflakeExternalId: 'MYACCOUNT_SFCRole=2_abc' })).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: user }, Condition: { StringEquals: { 'sts:ExternalId': 'MYACCOUNT_SFCRole=2_abc' } } },
    ]);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes(`"${roleId}"`)) as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    // An external table's LOCATION is its entity's folder: list and get there, nothing under _staging/, _leases/, _runs/.
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Effect: 'Allow',
        Resource: [{ 'Fn::Join': ['', [ref(lake), '/vehicle/*']] }, { 'Fn::Join': ['', [ref(lake), '/operating_period/*']] }],
      },
      { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['vehicle/*', 'operating_period/*'] } }, Effect: 'Allow', Resource: ref(lake) },
      { Action: 's3:GetBucketLocation', Effect: 'Allow', Resource: ref(lake) },
    ]);
  });

  it('refuses a deploy that names Snowflake\'s IAM user while the external id is still the placeholder, naming the parameter to pass', () => {
    const json = template.toJSON();
    const user = 'arn:aws:iam::999988887777:user/abc1-b-self1234';
    expect(refusedBy(json)).toEqual([]);
    expect(refusedBy(json, { SnowflakeIamUserArn: user })).toEqual([
      'SnowflakeIamUserArn is set but SnowflakeExternalId is still the placeholder eventlake-awaiting-snowflake: pass --parameters SnowflakeExternalId=<STORAGE_AWS_EXTERNAL_ID from DESC INTEGRATION> with it',
    ]);
    expect(refusedBy(json, { SnowflakeIamUserArn: user, SnowflakeExternalId: 'MYACCOUNT_SFCRole=2_abc' })).toEqual([]);
    // An external id before the user is harmless: the role still trusts only this account.
    expect(refusedBy(json, { SnowflakeExternalId: 'MYACCOUNT_SFCRole=2_abc' })).toEqual([]);
  });

  it('sends the lake\'s object-created and object-removed notifications to Snowflake\'s queue only once the parameter is set, without a custom resource', () => {
    const lake = ids('AWS::S3::Bucket').find((id) => id.startsWith('Lake'))!;
    const source = ids('AWS::S3::Bucket').find((id) => id.startsWith('Source'))!;
    expect(ids('Custom::S3BucketNotifications')).toEqual([]);
    const firstDeploy = deployedResources(template.toJSON());
    expect(firstDeploy[lake]!.properties['NotificationConfiguration']).toBeUndefined();
    const channel = 'arn:aws:sqs:eu-west-1:999988887777:sf-snowpipe-AIDA-abc';
    const withChannel = deployedResources(template.toJSON(), { SnowflakeNotificationChannel: channel });
    expect(withChannel[lake]!.properties['NotificationConfiguration']).toEqual({
      QueueConfigurations: [
        { Event: 's3:ObjectCreated:*', Queue: channel },
        { Event: 's3:ObjectRemoved:*', Queue: channel },
      ],
    });
    expect(withChannel[source]!.properties['NotificationConfiguration']).toBeUndefined();
  });

  it('alarms to one topic on dead letters (tasks and fan-outs) and on the task queue\'s oldest message older than 30 minutes; email only when given', () => {
    const topic = ids('AWS::SNS::Topic')[0]!;
    const queue = (prefix: string) => ({ Name: 'QueueName', Value: ref(ids('AWS::SQS::Queue').find((id) => id.startsWith(prefix))!, 'QueueName') });
    for (const prefix of ['TaskQueuesDeadLetters', 'FanoutDeadLetters']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [queue(prefix)],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: topic }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [queue('TaskQueuesTasks')],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1800,
      AlarmActions: [{ Ref: topic }],
    });
    const subscriptions = (parameters: Record<string, string>) => Object.values(deployedResources(template.toJSON(), parameters)).filter((r) => r.type === 'AWS::SNS::Subscription');
    expect(subscriptions({})).toEqual([]);
    expect(subscriptions({ AlarmEmail: 'ops@example.com' }).map((s) => s.properties)).toEqual([{ Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { ref: topic } }]);
  });

  it('alarms on the worker\'s errors and throttles, any in 5 minutes, to the same topic', () => {
    const topic = ids('AWS::SNS::Topic')[0]!;
    const fn = ids('AWS::Lambda::Function')[0]!;
    for (const metric of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topic }],
      });
    }
    expect(ids('AWS::CloudWatch::Alarm')).toHaveLength(5);
  });

  it('tells the worker the source layout from the SourceLayout parameter: flat by default, flat or nested only, never any', () => {
    expect(template.toJSON().Parameters.SourceLayout).toEqual({
      Type: 'String',
      Default: 'flat',
      AllowedValues: ['flat', 'nested'],
      Description: expect.stringContaining('lists that hour\'s prefix only') as unknown,
    });
    const env = (parameters: Record<string, string>) =>
      (deployedResources(template.toJSON(), parameters)[ids('AWS::Lambda::Function')[0]!]!.properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(env({})['EVENTLAKE_SOURCE_LAYOUT']).toBe('flat');
    expect(env({ SourceLayout: 'nested' })['EVENTLAKE_SOURCE_LAYOUT']).toBe('nested');
    expect((synth({ sourceLayout: 'nested' }).toJSON().Parameters as Record<string, { Default: string }>)['SourceLayout']!.Default).toBe('nested');
  });

  it('grants least privilege: no wildcard actions or resources, no managed policies, no writes to the source bucket', () => {
    const json = template.toJSON() as { Resources: Resources };
    const statements: { Action: string | string[]; Resource: unknown }[] = [];
    for (const r of Object.values(json.Resources)) {
      if (r.Type === 'AWS::IAM::Role') expect(r.Properties['ManagedPolicyArns']).toBeUndefined();
      if (r.Type === 'AWS::IAM::Policy') statements.push(...(r.Properties['PolicyDocument'] as { Statement: typeof statements }).Statement);
    }
    expect(statements.length).toBeGreaterThan(10);
    for (const s of statements) {
      for (const action of [s.Action].flat()) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      for (const resource of [s.Resource].flat()) expect(resource).not.toBe('*');
    }
    const worker = ids('AWS::IAM::Role').find((id) => id.startsWith('WorkerRole'))!;
    const workerStatements = (Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes(`"${worker}"`)) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement;
    const source = ids('AWS::S3::Bucket').find((id) => id.startsWith('Source'))!;
    const onSource = workerStatements.filter((s) => JSON.stringify(s.Resource).includes(`"${source}"`)).flatMap((s) => [s.Action].flat());
    expect(onSource.sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    const lake = ids('AWS::S3::Bucket').find((id) => id.startsWith('Lake'))!;
    expect(workerStatements).toContainEqual({ Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [ref(lake), '/*']] } });
    expect(workerStatements).toContainEqual({ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: ref(ids('AWS::SQS::Queue').find((id) => id.startsWith('TaskQueuesTasks'))!) });
    // A failed task's retry is brought forward with ChangeMessageVisibility (retry-visibility.ts).
    const onTasks = workerStatements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(ref(ids('AWS::SQS::Queue').find((id) => id.startsWith('TaskQueuesTasks'))!))).flatMap((s) => [s.Action].flat());
    expect(onTasks).toContain('sqs:ChangeMessageVisibility');
  });

  it('outputs the bucket names, the queue URL, the Snowflake role ARN and the secret ARN', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['SourceBucketName']!.Value).toEqual({ Ref: ids('AWS::S3::Bucket').find((id) => id.startsWith('Source')) });
    expect(outputs['LakeBucketName']!.Value).toEqual({ Ref: ids('AWS::S3::Bucket').find((id) => id.startsWith('Lake')) });
    expect(outputs['TaskQueueUrl']!.Value).toEqual({ Ref: ids('AWS::SQS::Queue').find((id) => id.startsWith('TaskQueuesTasks')) });
    expect(outputs['SnowflakeRoleArn']!.Value).toEqual(ref(ids('AWS::IAM::Role').find((id) => id.startsWith('SnowflakeIntegrationRole'))!));
    expect(outputs['SnowflakeSecretArn']!.Value).toEqual({ Ref: ids('AWS::SecretsManager::Secret')[0] });
  });
});
