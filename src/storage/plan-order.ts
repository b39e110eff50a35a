/**
 * The order of an hour's plans: a plan made later read the hour's sources later (a late file
 * included), so an hour's publication may only be replaced by a plan at least as new.
 */
import type { PlanOrder } from './publisher.js';

/** True when `plan` is older than `current`; an unknown order (a plan or publication from before orders were kept) never is. */
export function isOlderPlan(plan: PlanOrder | undefined, current: PlanOrder | undefined): boolean {
  if (plan === undefined || current === undefined) return false;
  const a = Date.parse(plan.plannedAt);
  const b = Date.parse(current.plannedAt);
  return Number.isFinite(a) && Number.isFinite(b) && a < b;
}
