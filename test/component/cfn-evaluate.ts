/**
 * Evaluates the few intrinsics the eventlake template uses (Ref to parameters and pseudo
 * parameters, Fn::If, Fn::Equals, Fn::Not, Fn::Join, Fn::GetAtt left as a marker) for a given set
 * of parameter values, the way CloudFormation would at deploy time: the tests then check what a
 * first deploy (defaults) and a later one (Snowflake's values) actually create.
 */
type Json = unknown;

interface Template {
  Parameters?: Record<string, { Default?: string }>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, Json> }>;
}

const PSEUDO: Record<string, string> = { 'AWS::AccountId': '111122223333', 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1' };
const NO_VALUE = Symbol('AWS::NoValue');

export interface DeployedResource {
  readonly type: string;
  readonly properties: Record<string, Json>;
}

/** The resources CloudFormation would create with these parameter values (defaults otherwise). */
export function deployedResources(json: Record<string, unknown>, parameters: Record<string, string> = {}): Record<string, DeployedResource> {
  const template = json as unknown as Template;
  const values: Record<string, string> = { ...PSEUDO };
  for (const [name, p] of Object.entries(template.Parameters ?? {})) values[name] = parameters[name] ?? p.Default ?? '';
  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) conditions.set(name, evaluate(template.Conditions?.[name]) === true);
    return conditions.get(name) as boolean;
  };
  const evaluate = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(evaluate).filter((v) => v !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node as Record<string, Json>);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key === 'Ref') {
      if (arg === 'AWS::NoValue') return NO_VALUE;
      return values[arg as string] ?? { ref: arg };
    }
    if (entries.length === 1 && key === 'Fn::If') {
      const [name, yes, no] = arg as [string, Json, Json];
      return evaluate(condition(name) ? yes : no);
    }
    if (entries.length === 1 && key === 'Fn::Equals') {
      const [a, b] = (arg as Json[]).map(evaluate);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if (entries.length === 1 && key === 'Fn::Not') return !(evaluate((arg as Json[])[0]) as boolean);
    if (entries.length === 1 && key === 'Fn::Join') {
      const [sep, parts] = arg as [string, Json[]];
      return (evaluate(parts) as Json[]).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
    }
    if (entries.length === 1 && key === 'Condition') return condition(arg as string);
    const out: Record<string, Json> = {};
    for (const [k, v] of entries) {
      const value = evaluate(v);
      if (value !== NO_VALUE) out[k] = value;
    }
    return out;
  };
  const deployed: Record<string, DeployedResource> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined && !condition(resource.Condition)) continue;
    deployed[id] = { type: resource.Type, properties: evaluate(resource.Properties ?? {}) as Record<string, Json> };
  }
  return deployed;
}
