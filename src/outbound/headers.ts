import { boundedReferences, MAX_REFERENCES } from './header-limits';

/**
 * Headers that keep automatic mail out of loops (RFC 3834, Microsoft MS-OXCMAIL). An acknowledgement is an
 * auto-reply, other notifications are auto-generated; a reply an agent wrote carries none of them, because it is a
 * person's mail and must be treated like one.
 */
export const LOOP_HEADER = 'X-Email-Piping-Loop';

export type AutomaticKind = 'auto-replied' | 'auto-generated';

export function automaticMailHeaders(kind: AutomaticKind | null, instanceId: string): Record<string, string> {
  if (kind === null) return {};
  return {
    'Auto-Submitted': kind,
    'X-Auto-Response-Suppress': 'All',
    Precedence: 'bulk',
    [LOOP_HEADER]: instanceId,
  };
}

/** References of a reply = parent's References + parent's Message-ID (RFC 5322 §3.6.4), bounded. */
export function replyReferences(
  parentReferences: string[],
  parentMessageId: string | null,
  max = MAX_REFERENCES
): string[] {
  return boundedReferences(parentReferences, parentMessageId, max);
}
