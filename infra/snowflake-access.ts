/**
 * What Snowflake needs from AWS: a role its storage integration assumes to read the lake, a
 * secret holding the credentials eventlake uses to reach Snowflake, and (once the external table
 * exists) the lake's object-created and object-removed notifications sent to Snowflake's queue so
 * AUTO_REFRESH works.
 *
 * Snowflake hands out its side only after the role exists (DESC INTEGRATION, DESC EXTERNAL
 * TABLE), so all three parameters have defaults that deploy before Snowflake exists: the role
 * then trusts this account's root with a placeholder external id, and no notification is set.
 */
import { Aws, CfnCondition, CfnParameter, Fn, SecretValue, Token } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const PLACEHOLDER_EXTERNAL_ID = 'eventlake-awaiting-snowflake';

/**
 * The keys src/warehouse/snowflake/snowflake-secret.ts reads, left empty for a person to fill in:
 * `password`, or `private_key` (the PEM text) with `private_key_passphrase` if it is encrypted.
 * Not `private_key_path`: the worker has no key file. `database` and `schema` name where the
 * hour close refreshes the lake's tables.
 */
export const SNOWFLAKE_SECRET_KEYS = ['account', 'user', 'password', 'private_key', 'private_key_passphrase', 'role', 'warehouse', 'database', 'schema'] as const;

export interface SnowflakeAccessProps {
  readonly lake: Bucket;
}

export class SnowflakeAccess extends Construct {
  readonly role: Role;
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: SnowflakeAccessProps) {
    super(scope, id);
    const userArn = new CfnParameter(scope, 'SnowflakeIamUserArn', {
      type: 'String',
      default: '',
      description: 'STORAGE_AWS_IAM_USER_ARN from DESC INTEGRATION (empty until the integration exists)',
      allowedPattern: '^$|^arn:aws[a-z-]*:iam::[0-9]{12}:user/.+$',
    });
    const externalId = new CfnParameter(scope, 'SnowflakeExternalId', {
      type: 'String',
      default: PLACEHOLDER_EXTERNAL_ID,
      description: 'STORAGE_AWS_EXTERNAL_ID from DESC INTEGRATION',
      minLength: 2,
    });
    const channel = new CfnParameter(scope, 'SnowflakeNotificationChannel', {
      type: 'String',
      default: '',
      description: 'notification_channel from DESC EXTERNAL TABLE: the SQS queue AUTO_REFRESH listens on (empty: no notifications)',
      allowedPattern: '^$|^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:.+$',
    });
    const hasUser = new CfnCondition(scope, 'HasSnowflakeIamUser', { expression: Fn.conditionNot(Fn.conditionEquals(userArn.valueAsString, '')) });
    const hasChannel = new CfnCondition(scope, 'HasSnowflakeNotificationChannel', { expression: Fn.conditionNot(Fn.conditionEquals(channel.valueAsString, '')) });

    const trusted = Token.asString(Fn.conditionIf(hasUser.logicalId, userArn.valueAsString, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`));
    this.role = new Role(this, 'IntegrationRole', {
      description: 'Assumed by the Snowflake storage integration: reads the eventlake lake',
      assumedBy: new ArnPrincipal(trusted).withConditions({ StringEquals: { 'sts:ExternalId': externalId.valueAsString } }),
    });
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [props.lake.arnForObjects('*')] }));
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [props.lake.bucketArn] }));

    // The L1 property, not addEventNotification: that one goes through a custom resource (a
    // Lambda calling PutBucketNotificationConfiguration) that a CfnCondition cannot switch off.
    // Snowflake filters by the external table's location, so every created object is sent; and
    // every removed one, so the parts a rerun's publish deletes leave the external tables too.
    const cfnLake = props.lake.node.defaultChild as CfnBucket;
    cfnLake.notificationConfiguration = Fn.conditionIf(
      hasChannel.logicalId,
      {
        QueueConfigurations: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'].map((event) => ({ Event: event, Queue: channel.valueAsString })),
      },
      Aws.NO_VALUE,
    );

    // Placeholders only: the values are filled in by a person (console or CLI), never by the template.
    this.secret = new Secret(this, 'Credentials', {
      description: 'eventlake: Snowflake credentials (fill in the empty fields)',
      secretObjectValue: Object.fromEntries(SNOWFLAKE_SECRET_KEYS.map((key) => [key, SecretValue.unsafePlainText('')])),
    });
  }
}
