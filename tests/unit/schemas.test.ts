import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { parseConnectionTestInput, parseMailboxInput } from '../../src/schemas/mailbox';
import { parseTicketListQuery } from '../../src/schemas/ticket-query';

const defaults = { schedule: '* * * * *' };
const valid = { name: 'Support', host: 'imap.example.com', port: 993, username: 'support', password: 'pw' };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('mailbox input', () => {
  it('fills the defaults a new mailbox gets', () => {
    expect(parseMailboxInput(valid, defaults)).toEqual({
      ...valid,
      address: null,
      fromName: null,
      security: 'tls',
      folder: 'INBOX',
      afterImport: 'mark-seen',
      moveToFolder: null,
      schedule: '* * * * *',
      enabled: true,
      smtpHost: null,
      smtpPort: null,
      smtpSecurity: 'starttls',
      smtpUsername: null,
      smtpPassword: undefined,
      notifications: {
        ticketAcknowledgement: true,
        agentReply: true,
        ticketResolved: true,
        ticketClosed: true,
        agentNewTicket: true,
        agentCustomerReply: true,
        refusedMail: false,
      },
      agentAddresses: [],
      agentRoleIds: [],
      closedTicketReplies: 'reopen',
      allowedMail: 'new-and-replies',
      allowedSenders: { mode: 'anyone' },
      contentPreference: 'html',
      ccImport: true,
      forwardingAddresses: [],
      unmonitored: false,
      unmonitoredHelpText: null,
      verpBounces: true,
      trustedAuthservIds: [],
      unauthenticatedAnswers: 'suppress',
      push: true,
    });
  });

  it.each([
    [{ ...valid, port: 0 }, /^port: must be a whole number from 1 to 65535/],
    [{ ...valid, host: 'imap example' }, /^host: must be a host name or IP address/],
    [{ ...valid, security: 'ssl' }, /^security: must be one of tls, starttls, none/],
    [{ ...valid, name: '' }, /^name: is required/],
    [{ ...valid, password: undefined }, /^password: is required/],
    [{ ...valid, afterImport: 'move' }, /^moveToFolder: is required when afterImport is "move"/],
    [{ ...valid, afterImport: 'move', moveToFolder: 'INBOX' }, /^moveToFolder: must differ/],
    [{ ...valid, schedule: '61 * * * *' }, /^schedule: "61 \* \* \* \*" is not a valid cron expression/],
    [{ ...valid, enabled: 'yes' }, /^enabled: must be true or false/],
    [{ ...valid, username: 'a\r\nb' }, /^username: must not contain line breaks/],
    [{ ...valid, colour: 'blue' }, /^colour: is not a mailbox setting/],
    [{ ...valid, smtpHost: 'smtp.example.com' }, /^smtpPort: is required when smtpHost is set/],
    [{ ...valid, smtpHost: 'smtp.example.com', smtpPort: 587 }, /^address: is required to send mail/],
    [{ ...valid, address: 'not-an-address' }, /^address: "not-an-address" is not an email address/],
    [
      { ...valid, agentAddresses: ['ok@example.com', 'nope'] },
      /^agentAddresses: "nope" is not an email address/,
    ],
    [{ ...valid, agentRoleIds: [1, 'x'] }, /^agentRoleIds: must be a list of admin role ids/],
    [
      { ...valid, notifications: { ticketAcknowledgement: 'no' } },
      /^notifications: "ticketAcknowledgement" must be true or false/,
    ],
    [{ ...valid, notifications: { welcome: true } }, /^notifications: "welcome" is not a notification/],
    [{ ...valid, closedTicketReplies: 'ignore' }, /^closedTicketReplies: must be one of reopen, new-ticket/],
    [
      { ...valid, allowedMail: 'none' },
      /^allowedMail: must be one of new-and-replies, new-only, replies-only/,
    ],
    [{ ...valid, allowedSenders: { mode: 'listed' } }, /^allowedSenders: a "listed" mode needs at least one/],
    [
      { ...valid, allowedSenders: { mode: 'listed', domains: ['not a domain'] } },
      /^allowedSenders\.domains: "not a domain"/,
    ],
    [{ ...valid, allowedSenders: { mode: 'vip' } }, /^allowedSenders: mode must be one of/],
    [{ ...valid, forwardingAddresses: ['sales'] }, /^forwardingAddresses: "sales" is not an email address/],
    [{ ...valid, contentPreference: 'rtf' }, /^contentPreference: must be one of html, text/],
    [{ ...valid, ccImport: 'yes' }, /^ccImport: must be true or false/],
  ])('refuses %j naming the field', (body, message) => {
    expect(refusal(() => parseMailboxInput(body, defaults))).toMatch(message);
  });

  it('lets an update change one field and keep the stored password', () => {
    const existing = parseMailboxInput(valid, defaults);
    const { password: _password, smtpPassword: _smtp, ...stored } = existing;
    const updated = parseMailboxInput({ enabled: false }, defaults, stored);
    expect(updated).toEqual({ ...stored, enabled: false, password: undefined, smtpPassword: undefined });
    // An explicit empty SMTP password on update removes the stored one.
    expect(parseMailboxInput({ smtpPassword: '' }, defaults, stored).smtpPassword).toBeNull();
  });
});

describe('connection test input', () => {
  const connection = {
    host: 'imap.example.com',
    port: 993,
    security: 'tls',
    username: 'support',
    password: 'pw',
  };

  it('needs only the connection fields: no name', () => {
    expect(parseConnectionTestInput(connection)).toEqual({ ...connection, folder: 'INBOX' });
  });

  it('ignores the other settings of a whole draft, but still refuses what is no setting at all', () => {
    expect(
      parseConnectionTestInput({ ...connection, name: '', schedule: 'not cron', folder: 'Support' })
    ).toEqual({ ...connection, folder: 'Support' });
    expect(refusal(() => parseConnectionTestInput({ ...connection, colour: 'blue' }))).toMatch(
      /^colour: is not a mailbox setting/
    );
  });

  it.each([
    [{ ...connection, password: undefined }, /^password: is required/],
    [{ ...connection, host: undefined }, /^host: is required/],
    [{ ...connection, port: 'imap' }, /^port: must be a whole number/],
    [{ ...connection, security: 'ssl' }, /^security: must be one of/],
  ])('refuses %j naming the field', (body, message) => {
    expect(refusal(() => parseConnectionTestInput(body))).toMatch(message);
  });

  it('tests a saved mailbox with its stored fields and password, overridden by what the form sends', () => {
    const { password: _password, smtpPassword: _smtp, ...stored } = parseMailboxInput(valid, defaults);
    expect(parseConnectionTestInput({}, stored)).toEqual({
      host: 'imap.example.com',
      port: 993,
      security: 'tls',
      username: 'support',
      password: undefined,
      folder: 'INBOX',
    });
    expect(parseConnectionTestInput({ host: 'imap2.example.com' }, stored).host).toBe('imap2.example.com');
  });
});

describe('ticket list query', () => {
  it('translates filters, search and sorting', () => {
    const parsed = parseTicketListQuery({
      page: '2',
      pageSize: '10',
      status: 'open,pending',
      priority: 'high',
      mailbox: '3',
      q: '#42',
      sort: 'lastMessageAt:asc',
    });
    expect(parsed.page).toBe(2);
    expect(parsed.pageSize).toBe(10);
    expect(parsed.where).toEqual({
      status: { $in: ['open', 'pending'] },
      priority: { $in: ['high'] },
      mailbox: { id: 3 },
    });
    expect(parsed.searchWhere).toEqual({
      $or: [
        { subject: { $containsi: '#42' } },
        { requesterEmail: { $containsi: '#42' } },
        { requesterName: { $containsi: '#42' } },
        { number: 42 },
      ],
    });
    expect(parsed.orderBy).toEqual([{ lastMessageAt: 'asc' }, { id: 'asc' }]);
  });

  it('filters by assignee: an admin user id, "none" for unassigned, "me" for the admin user asking', () => {
    expect(parseTicketListQuery({ assignee: '7' }).where).toEqual({ assigneeId: { $eq: 7 } });
    expect(parseTicketListQuery({ assignee: 'none' }).where).toEqual({ assigneeId: { $null: true } });
    expect(parseTicketListQuery({ assignee: 'me' }, { userId: 3 }).where).toEqual({ assigneeId: { $eq: 3 } });
  });

  it.each([
    [{ assignee: 'me' }, /^assignee: "me" needs a signed-in admin user/],
    [{ assignee: 'bob' }, /^assignee: must be an admin user id, "me" or "none"/],
    [{ assignee: '-1' }, /^assignee: must be an admin user id/],
    [{ status: 'lost' }, /^status: "lost" is not one of/],
    [{ pageSize: '1000' }, /^pageSize: must be a whole number from 1 to 100/],
    [{ page: '0' }, /^page:/],
    [{ sort: 'password:asc' }, /^sort: must be one of/],
    [{ mailbox: '1 or 1=1' }, /^mailbox: must be a mailbox id/],
  ])('refuses %j', (query, message) => {
    expect(refusal(() => parseTicketListQuery(query))).toMatch(message);
  });
});

describe('mailbox sender authentication settings', () => {
  it('keeps trusted authserv-ids as lower-case host names, once each', () => {
    const parsed = parseMailboxInput(
      { ...valid, trustedAuthservIds: ['MX.Google.com', 'mx.google.com.', 'mx1.desk.test'] },
      defaults
    );
    expect(parsed.trustedAuthservIds).toEqual(['mx.google.com', 'mx1.desk.test']);
  });

  it('refuses what is not a host name, and unknown answer modes', () => {
    expect(
      refusal(() =>
        parseMailboxInput({ ...valid, trustedAuthservIds: ['mx.google.com; dmarc=pass'] }, defaults)
      )
    ).toContain(
      'trustedAuthservIds: "mx.google.com; dmarc=pass" is not a host name; use the first word of the Authentication-Results header'
    );
    expect(
      refusal(() => parseMailboxInput({ ...valid, trustedAuthservIds: 'mx.google.com' }, defaults))
    ).toContain('trustedAuthservIds: must be a list of host names');
    expect(refusal(() => parseMailboxInput({ ...valid, unauthenticatedAnswers: 'send' }, defaults))).toBe(
      'unauthenticatedAnswers: must be one of suppress, rate-limit-hard'
    );
  });
});
