/**
 * What each condition field reads from a mail: the rule engine's input, and the values (bounded) a field's patterns
 * are tested against. A new condition field is declared in contracts/rules.ts, read here (valuesOf, and a
 * RuleInput property if it needs data the mail does not carry yet), named here for the trace, and labelled in the
 * admin's ruleLabels.ts.
 */
import type { ConditionField } from '../../../contracts/rules';
import { bounded } from '../../regex/match-input';

export interface RuleInput {
  sender: string;
  /** The configured forwarding address the mail came in through (see forwarding.ts), or null. */
  forwardingAddress: string | null;
  to: string[];
  cc: string[];
  subject: string;
  body: string;
  /** Lower-cased header names (as in `ParsedMail.headers`). */
  headers: Record<string, string | string[]>;
  /** The sender authentication verdict (`pass`, `fail`, `none`; see authenticate.ts); absent: not checked. */
  authentication?: string;
}

function headerValues(headers: RuleInput['headers'], name: string): string[] {
  const value = headers[name];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => bounded(String(v)));
}

export function valuesOf(spec: { field: ConditionField; header: string | null }, input: RuleInput): string[] {
  switch (spec.field) {
    case 'sender':
      return input.sender ? [bounded(input.sender)] : [];
    case 'forwardingAddress':
      return input.forwardingAddress ? [bounded(input.forwardingAddress)] : [];
    case 'to':
      return input.to.map(bounded);
    case 'cc':
      return input.cc.map(bounded);
    case 'recipients':
      return [...input.to, ...input.cc].map(bounded);
    case 'subject':
      return [bounded(input.subject)];
    case 'body':
      return [bounded(input.body)];
    case 'header':
      return headerValues(input.headers, spec.header!);
    case 'authentication':
      return [input.authentication ?? 'none'];
  }
}

/** How a field reads in a trace line. */
export const FIELD_LABELS: Record<ConditionField, string> = {
  sender: 'sender',
  forwardingAddress: 'forwarding address',
  to: 'To',
  cc: 'Cc',
  recipients: 'To/Cc',
  subject: 'subject',
  body: 'body',
  header: 'header',
  authentication: 'sender authentication',
};
