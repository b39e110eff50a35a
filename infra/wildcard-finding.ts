/**
 * The id cdk-nag's AwsSolutions-IAM5 gives a wildcard resource in a policy statement, so an
 * acknowledgment names that one ARN pattern and no other: `AwsSolutions-IAM5[Resource::<Id.Arn>/*]`
 * for `resource.arn + "/*"`, where Id is the resource's logical id in the template.
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function wildcardResourceFinding(resource: IConstruct, suffix: string): string {
  const element = resource.node.defaultChild ?? resource;
  if (!CfnElement.isCfnElement(element)) throw new Error(`${resource.node.path} has no CloudFormation resource to name`);
  const logicalId = Stack.of(element).resolve(element.logicalId) as string;
  return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>${suffix}]`;
}
