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
import { Aws, CfnCondition, CfnParameter, CfnRule, Fn, SecretValue, Token, Validations } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { wildcardResourceFinding } from './wildcard-finding.js';

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
  /**
   * The lake's published folders, one per entity (`vehicle`, `operating_period`): each external
   * table's LOCATION. The role lists and reads these only, never `_staging/`, `_leases/`,
   * `_runs/`, `_manifests/` or `_quarantine/`.
   */
  readonly entities: readonly string[];
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
      description: 'Assumed by the Snowflake storage integration: reads the eventlake lake\'s published entity folders',
      assumedBy: new ArnPrincipal(trusted).withConditions({ StringEquals: { 'sts:ExternalId': externalId.valueAsString } }),
    });
    this.grantPublishedPartitions(props.lake, props.entities);

    // Snowflake's user with the placeholder would be a role anyone who learns the placeholder
    // could have Snowflake assume for them: CloudFormation refuses the deploy before any change.
    new CfnRule(scope, 'SnowflakeExternalIdWithUser', {
      ruleCondition: Fn.conditionNot(Fn.conditionEquals(userArn.valueAsString, '')),
      assertions: [
        {
          assert: Fn.conditionNot(Fn.conditionEquals(externalId.valueAsString, PLACEHOLDER_EXTERNAL_ID)),
          assertDescription: `SnowflakeIamUserArn is set but SnowflakeExternalId is still the placeholder ${PLACEHOLDER_EXTERNAL_ID}: pass --parameters SnowflakeExternalId=<STORAGE_AWS_EXTERNAL_ID from DESC INTEGRATION> with it`,
        },
      ],
    });

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
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Not rotated automatically: the secret holds a Snowflake password or key pair that a person creates in Snowflake (ALTER USER … SET RSA_PUBLIC_KEY_2) and pastes here; ' +
        'rotating it from AWS would need a rotation function holding rights to alter the Snowflake user, which this stack does not build. Rotate by hand (infra/README.md)',
    });
  }

  /**
   * What a Snowflake external table needs (Snowflake's storage-integration policy, read-only):
   * list its LOCATION's prefix, find the bucket's region, get (and get by version) the files.
   */
  private grantPublishedPartitions(lake: Bucket, entities: readonly string[]): void {
    if (entities.length === 0) throw new Error('the Snowflake role needs at least one entity folder to read');
    const folders = entities.map((entity) => `${entity}/`);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: folders.map((folder) => lake.arnForObjects(`${folder}*`)) }));
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [lake.bucketArn],
        conditions: { StringLike: { 's3:prefix': folders.map((folder) => `${folder}*`) } },
      }),
    );
    // Takes no s3:prefix: a condition on it would refuse the call outright.
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [lake.bucketArn] }));
    for (const folder of folders) {
      Validations.of(this.role).acknowledge({
        id: wildcardResourceFinding(lake, `/${folder}*`),
        reason: `An external table reads every part file under its LOCATION (${folder}date=…/hour=…/part-….parquet), named per hour as the lake grows; the role reads no other folder`,
      });
    }
  }
}
