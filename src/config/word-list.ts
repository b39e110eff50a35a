/** A list in prose: `a, b or c`. Its own module so messages outside the schema need not load zod. */
export function wordList(values: readonly string[], conjunction: 'or' | 'and' = 'or'): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} ${conjunction} ${values.at(-1)}`;
}
