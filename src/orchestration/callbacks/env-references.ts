/**
 * `${env:NAME}` in a configured value: secrets stay out of the configuration file and are read
 * from the environment only when a delivery needs them.
 */
const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type Expansion = { readonly value: string } | { readonly missing: string };

/** The value with every reference replaced, or the first variable that is unset or empty. */
export function expandEnvReferences(value: string, env: NodeJS.ProcessEnv = process.env): Expansion {
  let missing: string | undefined;
  const expanded = value.replace(REFERENCE, (_whole, name: string) => {
    const found = env[name];
    // An empty secret is a deployment mistake, not a value worth sending.
    if (found === undefined || found === '') missing ??= name;
    return found ?? '';
  });
  return missing === undefined ? { value: expanded } : { missing };
}
