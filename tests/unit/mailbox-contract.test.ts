/**
 * The mailbox content type's schema.json repeats, for Strapi, the allowed values and defaults that
 * contracts/mailbox.ts declares for the server's validation and the admin's form: these tests keep the two equal, so
 * a setting changed in one place and not the other fails here rather than in a stored row.
 */
import { describe, expect, it } from 'vitest';
import schema from '../../src/content-types/mailbox/schema.json';
import { ACTIONS } from '../../contracts/permissions';
import {
  MAILBOX_CHOICES,
  MAILBOX_FLAGS,
  MAILBOX_SECRET_FIELDS,
  MAILBOX_SETTING_FIELDS,
  PUSH_STATES,
  mailboxChoiceAndFlagDefaults,
} from '../../contracts/mailbox';
import { actionDefinitions } from '../../src/permissions';
import { parseMailboxInput } from '../../src/schemas/mailbox';

const attributes = schema.attributes as Record<string, { type: string; enum?: string[]; default?: unknown }>;

describe('contracts/mailbox.ts and the mailbox schema.json', () => {
  it.each(Object.entries(MAILBOX_CHOICES))('%s: the same values and default', (field, spec) => {
    expect(attributes[field]?.type).toBe('enumeration');
    expect(attributes[field].enum).toEqual([...spec.values]);
    expect(attributes[field].default).toBe(spec.default);
  });

  it.each(Object.entries(MAILBOX_FLAGS))('%s: a boolean with the same default', (field, fallback) => {
    expect(attributes[field]?.type).toBe('boolean');
    expect(attributes[field].default).toBe(fallback);
  });

  it('pushState: the same values as PUSH_STATES', () => {
    expect(attributes.pushState?.type).toBe('enumeration');
    expect(attributes.pushState.enum).toEqual([...PUSH_STATES]);
  });

  it('every setting and secret is a column', () => {
    for (const field of [...MAILBOX_SETTING_FIELDS, ...MAILBOX_SECRET_FIELDS]) {
      expect(attributes[field], field).toBeDefined();
    }
  });

  it('a body that leaves the choices and switches out gets the contract defaults', () => {
    const input = parseMailboxInput(
      { name: 'Support', host: 'imap.example.com', port: 993, username: 'u', password: 'p' },
      { schedule: '* * * * *' }
    );
    expect(input).toMatchObject(mailboxChoiceAndFlagDefaults());
  });
});

describe('contracts/permissions.ts', () => {
  it('the registered actions are the ids routes and the admin name', () => {
    expect(actionDefinitions.map((action) => `plugin::${action.pluginName}.${action.uid}`)).toEqual(
      Object.values(ACTIONS)
    );
  });
});
