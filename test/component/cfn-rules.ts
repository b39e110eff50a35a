/**
 * Evaluates a template's `Rules` section for a set of parameter values, the way CloudFormation
 * checks them before it creates or updates a stack: a rule whose RuleCondition holds and whose
 * Assert is false refuses the deploy with its AssertDescription. Only the functions the eventlake
 * template uses in rules: Ref to a parameter, Fn::Equals, Fn::Not, Fn::And, Fn::Or, and Fn::Contains (CDK's
 * own bootstrap-version rule).
 */
type Json = unknown;

interface Template {
  Parameters?: Record<string, { Default?: string }>;
  Rules?: Record<string, { RuleCondition?: Json; Assertions: { Assert: Json; AssertDescription?: string }[] }>;
}

/** The AssertDescription of every assertion that refuses the deploy; empty when it goes ahead. */
export function refusedBy(json: Record<string, unknown>, parameters: Record<string, string> = {}): string[] {
  const template = json as Template;
  const values: Record<string, string> = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) values[name] = parameters[name] ?? p.Default ?? '';
  const evaluate = (node: Json): Json => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
    const [[key, arg]] = Object.entries(node as Record<string, Json>) as [[string, Json]];
    const args = (): Json[] => (arg as Json[]).map(evaluate);
    switch (key) {
      case 'Ref':
        if (!((arg as string) in values)) throw new Error(`rule refers to ${String(arg)}, which is no parameter`);
        return values[arg as string];
      case 'Fn::Equals': {
        const [a, b] = args();
        return a === b;
      }
      case 'Fn::Not':
        return !(args()[0] as boolean);
      case 'Fn::And':
        return args().every(Boolean);
      case 'Fn::Or':
        return args().some(Boolean);
      case 'Fn::Contains': {
        const [list, value] = args() as [Json[], Json];
        return list.includes(value);
      }
      default:
        throw new Error(`rule function ${key} is not evaluated here`);
    }
  };
  const refused: string[] = [];
  for (const rule of Object.values(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition) !== true) continue;
    for (const assertion of rule.Assertions) if (evaluate(assertion.Assert) !== true) refused.push(assertion.AssertDescription ?? '(no description)');
  }
  return refused;
}
