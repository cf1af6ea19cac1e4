/**
 * What the plugin's settings routes answer (src/services/mailboxes.ts, rules.ts, templates.ts, receipts.ts,
 * suppressions.ts, simulator.ts), and how a refusal is read: the server names the offending field in every 400.
 */
import type {
  BlockField,
  MatchMode,
  PipingRule as RuleDefinition,
  RuleOutcome,
} from '../../../contracts/rules';

export const BASE = '/email-piping';

/** The mailbox as answered; many settings files read it from here. */
export type { MailboxAnswer as Mailbox } from '../../../contracts/api';

/** A piping rule as `GET /piping-rules` shows it: the rule, and where and how often it applies. */
export interface PipingRule extends RuleDefinition {
  position: number;
  mailboxId: number | null;
  hitCount: number | null;
  lastHitAt: string | null;
}

export interface BlockRule {
  id: number;
  field: BlockField;
  mode: MatchMode;
  pattern: string;
  caseSensitive: boolean | null;
  enabled: boolean;
  note: string | null;
  hitCount: number | null;
  lastHitAt: string | null;
}

export interface SimulationResult {
  outcome: string;
  reason?: string | null;
  ruleId?: number;
  mail?: { from: string; to: string[]; cc: string[]; subject: string | null; messageId: string | null };
  flags?: { mailClass: string; reasons?: string[] } & Record<string, unknown>;
  automatic?: { automatic: boolean; reason: string | null };
  thread?: { kind: 'new' | 'existing'; ticketNumber?: number; via?: string; refused?: unknown };
  forwardingAddress?: string | null;
  plan?: { kind: string; notify?: string[]; newStatus?: string | null; reason?: string };
  rules?: RuleOutcome | null;
  addedRecipients?: Array<{ address?: string; name?: string }>;
  notifications?: string[];
}

/** A refusal as the admin shows it: one message, and the part of it that belongs to each named field. */
export interface ServerProblem {
  message: string;
  status?: number;
  fields: Record<string, string>;
}

interface ErrorBody {
  message?: string;
  status?: number;
  details?: {
    field?: string;
    errors?: Array<{ field: string; message: string }>;
    problems?: string[];
  };
}

/**
 * Reads a failed request of `useFetchClient` (a FetchError carrying the JSON body). The plugin's messages start with
 * the field they are about (`port: must be a whole number…`); `details` names it for sure.
 */
export function readServerError(error: unknown): ServerProblem {
  const failure = error as { message?: string; status?: number; response?: { data?: { error?: ErrorBody } } };
  const body = failure?.response?.data?.error;
  const message = body?.message ?? failure?.message ?? String(error);
  const fields: Record<string, string> = {};
  const strip = (field: string, text: string) =>
    text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
  if (body?.details?.field) fields[body.details.field] = strip(body.details.field, message);
  for (const item of body?.details?.errors ?? []) {
    fields[item.field] = fields[item.field] ? `${fields[item.field]}; ${item.message}` : item.message;
  }
  for (const problem of body?.details?.problems ?? []) {
    const match = /^(subject|body): (.*)$/s.exec(problem);
    const field = match ? match[1] : 'template';
    const text = match ? match[2] : problem;
    fields[field] = fields[field] ? `${fields[field]}; ${text}` : text;
  }
  return { message, status: body?.status ?? failure?.status, fields };
}

export function splitLines(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}
