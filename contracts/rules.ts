/**
 * The rule vocabulary both the server and the admin speak: what a piping rule's conditions read (fields), how they
 * compare (match modes), what its actions do, and what a block rule reads. Declared once here: the server validates
 * stored and saved rules against these lists, the admin's pickers offer exactly these options, and the admin's label
 * maps are typed over them, so a value added here without a label fails the type check.
 */
import type { Priority, TicketStatus } from './ticket';

export const MATCH_MODES = ['exact', 'wildcard', 'regex'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

export const CONDITION_FIELDS = [
  'sender',
  'forwardingAddress',
  'to',
  'cc',
  'recipients',
  'subject',
  'body',
  'header',
  'authentication',
] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

/** The values the `authentication` field reads: the sender authentication verdict (see src/mail/authenticate.ts). */
export const AUTHENTICATION_RESULTS = ['pass', 'fail', 'none'] as const;
export type AuthenticationResult = (typeof AUTHENTICATION_RESULTS)[number];

export interface Condition {
  field: ConditionField;
  /** The header's name, required when `field` is `header` (stored lower-cased). */
  header?: string;
  mode: MatchMode;
  pattern: string;
  caseSensitive?: boolean;
  negate?: boolean;
}

export type RuleAction =
  | { type: 'setPriority'; value: Priority }
  | { type: 'setStatus'; value: TicketStatus }
  | { type: 'addTags'; value: string[] }
  | { type: 'setCategory'; value: string }
  | { type: 'assign'; adminUserId: number }
  | { type: 'addRecipients'; value: string[] }
  | { type: 'skipNotifications' }
  | { type: 'stopProcessing' };
export type RuleActionType = RuleAction['type'];
export const ACTION_TYPES = [
  'setPriority',
  'setStatus',
  'addTags',
  'setCategory',
  'assign',
  'addRecipients',
  'skipNotifications',
  'stopProcessing',
] as const satisfies readonly RuleActionType[];

/** How a rule combines its conditions. */
export const RULE_MATCHES = ['all', 'any'] as const;
export type RuleMatch = (typeof RULE_MATCHES)[number];

/** One rule; rules run in array order. */
export interface PipingRule {
  id: number;
  name: string;
  enabled: boolean;
  match: RuleMatch;
  conditions: Condition[];
  actions: RuleAction[];
}

/** What the rules did to one mail: the importer applies it, the simulator shows it. */
export interface RuleOutcome {
  matched: Array<{ ruleId: number; name: string }>;
  priority?: Priority;
  status?: TicketStatus;
  tags: string[];
  category?: string;
  assigneeId?: number;
  addRecipients: string[];
  skipNotifications: boolean;
  /** Why, line by line, for the receipt and the admin's rule simulator. */
  trace: string[];
}

/** What a block rule reads: mail whose sender or subject matches one is not imported. */
export const BLOCK_FIELDS = ['sender', 'subject'] as const;
export type BlockField = (typeof BLOCK_FIELDS)[number];
