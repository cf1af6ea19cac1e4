import { describe, expect, it } from 'vitest';
import { resolveThread, type TicketRef, type ThreadLookups } from '../../src/mail/thread';
import {
  computeMac,
  replyAddress,
  subjectTicketNumber,
  tokenFromAddress,
  tokenFromMessageId,
  tokenMessageId,
  verifyMac,
} from '../../src/mail/tokens';

const SECRET = 'test-secret-0123456789';
const TICKET: TicketRef = { id: 7, number: 1234, status: 'open' };

function lookups(participants: string[], storedIds: string[] = []): ThreadLookups {
  return {
    ticketByNumber: async (n) => (n === TICKET.number ? TICKET : null),
    ticketByMessageIds: async (ids) => (ids.some((id) => storedIds.includes(id)) ? TICKET : null),
    isParticipant: async (_ticket, address) => participants.includes(address),
  };
}

describe('reply tokens', () => {
  it('binds the token to ticket, recipient and purpose', () => {
    const mac = computeMac(SECRET, 1234, 'jane@customer.test', 'reply');
    expect(mac).toMatch(/^[a-z2-7]{16}$/);
    expect(verifyMac(SECRET, 1234, 'Jane@Customer.test', 'reply', mac)).toBe(true);
    expect(verifyMac(SECRET, 1235, 'jane@customer.test', 'reply', mac)).toBe(false);
    expect(verifyMac(SECRET, 1234, 'mallory@evil.test', 'reply', mac)).toBe(false);
    expect(verifyMac(SECRET, 1234, 'jane@customer.test', 'message-id', mac)).toBe(false);
    expect(verifyMac('other-secret', 1234, 'jane@customer.test', 'reply', mac)).toBe(false);
    expect(verifyMac(SECRET, 1234, 'jane@customer.test', 'reply', mac.slice(0, 15))).toBe(false);
  });

  it('round-trips through a reply address and a Message-ID', () => {
    const address = replyAddress('support+old@example.com', 1234, 'jane@customer.test', SECRET);
    expect(address).toMatch(/^support\+t1234\.[a-z2-7]{16}@example\.com$/);
    expect(tokenFromAddress(address)).toEqual({
      ticketNumber: 1234,
      mac: address.split('.')[1].split('@')[0],
    });
    const messageId = tokenMessageId('example.com', 1234, 'jane@customer.test', SECRET);
    const token = tokenFromMessageId(messageId)!;
    expect(token.ticketNumber).toBe(1234);
    expect(verifyMac(SECRET, 1234, 'jane@customer.test', 'message-id', token.mac)).toBe(true);
    expect(tokenFromAddress('support@example.com')).toBeNull();
    expect(tokenFromMessageId('CAF=abc@mail.gmail.com')).toBeNull();
  });

  it('reads the subject token', () => {
    expect(subjectTicketNumber('Re: [#1234] Printer on fire')).toBe(1234);
    expect(subjectTicketNumber('Order #1234')).toBeNull();
  });
});

describe('resolveThread', () => {
  const jane = 'jane@customer.test';
  const base = { sender: jane, recipients: ['support@example.com'], candidateIds: [], subject: 'Hello' };

  it('follows a reply token issued to the sender', async () => {
    const decision = await resolveThread(
      { ...base, recipients: [replyAddress('support@example.com', 1234, jane, SECRET)] },
      lookups([]),
      SECRET
    );
    expect(decision).toMatchObject({ kind: 'existing', via: 'reply-token', ticket: TICKET });
  });

  it('refuses a reply token issued to somebody else, or tampered with', async () => {
    const forJane = replyAddress('support@example.com', 1234, jane, SECRET);
    const stolen = await resolveThread(
      { ...base, sender: 'mallory@evil.test', recipients: [forJane] },
      lookups([jane]),
      SECRET
    );
    expect(stolen).toEqual({
      kind: 'new',
      refused: ['reply address for ticket #1234 was not issued to mallory@evil.test'],
    });
    const tampered = forJane.replace(/\.([a-z2-7])/, (_m, c: string) => `.${c === 'a' ? 'b' : 'a'}`);
    expect((await resolveThread({ ...base, recipients: [tampered] }, lookups([]), SECRET)).kind).toBe('new');
    const guessed = 'support+t1234.aaaaaaaaaaaaaaaa@example.com';
    expect((await resolveThread({ ...base, recipients: [guessed] }, lookups([]), SECRET)).kind).toBe('new');
  });

  it('follows our Message-ID in In-Reply-To when it was sent to the sender (plus-address stripped)', async () => {
    const ours = tokenMessageId('example.com', 1234, jane, SECRET);
    const decision = await resolveThread({ ...base, candidateIds: [ours] }, lookups([]), SECRET);
    expect(decision).toMatchObject({ kind: 'existing', via: 'message-id-token' });
    const forwarded = await resolveThread(
      { ...base, sender: 'mallory@evil.test', candidateIds: [ours] },
      lookups([jane], [ours]),
      SECRET
    );
    expect(forwarded.kind).toBe('new');
    expect(forwarded.refused).toEqual([
      'answers a notification of ticket #1234 that was not sent to mallory@evil.test',
      'references ticket #1234, in which mallory@evil.test takes no part',
    ]);
  });

  it('follows stored Message-IDs only for participants', async () => {
    const decision = await resolveThread(
      { ...base, candidateIds: ['orig@customer.test'] },
      lookups([jane], ['orig@customer.test']),
      SECRET
    );
    expect(decision).toMatchObject({ kind: 'existing', via: 'references' });
    const stranger = await resolveThread(
      { ...base, sender: 'stranger@x.test', candidateIds: ['orig@customer.test'] },
      lookups([jane], ['orig@customer.test']),
      SECRET
    );
    expect(stranger.kind).toBe('new');
  });

  it('trusts the subject token only from a participant', async () => {
    const subject = 'Re: [#1234] Printer on fire';
    expect(await resolveThread({ ...base, subject }, lookups([jane]), SECRET)).toMatchObject({
      kind: 'existing',
      via: 'subject-token',
    });
    const forged = await resolveThread(
      { ...base, sender: 'forger@x.test', subject },
      lookups([jane]),
      SECRET
    );
    expect(forged).toEqual({
      kind: 'new',
      refused: ['subject names ticket #1234, in which forger@x.test takes no part'],
    });
  });

  it('opens a new ticket for a subject token naming no ticket', async () => {
    expect(await resolveThread({ ...base, subject: '[#99999] hi' }, lookups([jane]), SECRET)).toEqual({
      kind: 'new',
      refused: [],
    });
  });
});
