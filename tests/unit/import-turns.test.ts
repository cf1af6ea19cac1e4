/**
 * How an import run shares the database with the rest of the CMS, against an in-memory source and store (the real
 * parse worker prepares the mail): a batch commits early when someone else waits for a connection and the rest
 * follows in order, after the importer gave way; attachments are uploaded before the transaction that links them,
 * and removed again when the mail made no message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { importFolder } from '../../src/ingest/import-folder';
import { shutdownParsePool } from '../../src/ingest/parse-pool';
import type { MailSource } from '../../src/ingest/source';
import type { ImportStore, IngestOutcome, StagedAttachments } from '../../src/ingest/store';
import { memoryDesk } from '../harness/memory-desk';

const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-turns-'));
afterAll(async () => {
  await shutdownParsePool();
  fs.rmSync(spoolDir, { recursive: true, force: true });
});

function plainMail(uid: number): string {
  return `From: customer${uid}@customer.test\r\nTo: help@example.test\r\nSubject: question ${uid}\r\nMessage-ID: <m${uid}@customer.test>\r\n\r\nhello ${uid}\r\n`;
}

function mailWithAttachment(uid: number): string {
  return [
    `From: customer${uid}@customer.test`,
    'To: help@example.test',
    `Subject: invoice ${uid}`,
    `Message-ID: <m${uid}@customer.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'see attached',
    '--b',
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(`%PDF-1.4 invoice ${uid}`).toString('base64'),
    '--b--',
    '',
  ].join('\r\n');
}

function memorySource(messages: Map<number, string>): MailSource & { acknowledged: number[] } {
  const acknowledged: number[] = [];
  return {
    uidValidity: '9',
    acknowledged,
    async listNewMessages(afterUid) {
      return [...messages.keys()]
        .filter((uid) => uid > afterUid)
        .map((uid) => ({ uid, size: messages.get(uid)!.length }));
    },
    async download(uid) {
      return Readable.from([Buffer.from(messages.get(uid)!)]);
    },
    async acknowledge(uids) {
      acknowledged.push(...uids);
    },
    async close() {},
  };
}

/** The events in order, so the test can say what happened inside a transaction and what before it. */
function memoryStore(options: { othersWaitAfter: number[]; blocked: number[] }) {
  const events: string[] = [];
  const desk = memoryDesk();
  let nextId = 1;
  let nextFileId = 1001;
  let cursor = 0;
  let committedInTransaction = 0;
  let inTransaction = false;
  const discarded: number[][] = [];
  const outcome = (kind: IngestOutcome['outcome'], ticketId: number | null): IngestOutcome => ({
    outcome: kind,
    receiptId: nextId++,
    ticketId,
  });
  const store: ImportStore = {
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      inTransaction = true;
      committedInTransaction = 0;
      events.push('begin');
      try {
        return await work();
      } finally {
        inTransaction = false;
        events.push('commit');
      }
    },
    async preparationFor() {
      return null;
    },
    async decisionContextFor() {
      return desk.context();
    },
    async findReceipt() {
      return null;
    },
    async findImportedDuplicates() {
      return new Map();
    },
    async recordDecision(origin, _raw, _mail, _decision, recordOptions): Promise<IngestOutcome> {
      committedInTransaction += 1;
      const staged = recordOptions?.staged
        ? ` with staged files ${recordOptions.staged.fileIds.join(',')}`
        : '';
      if (options.blocked.includes(origin.uid)) {
        events.push(`blocked ${origin.uid}`);
        return outcome('blocked', null);
      }
      events.push(`ticket ${origin.uid}${staged}`);
      return outcome('ticket-created', origin.uid);
    },
    async recordQuarantined(origin, _raw, reason) {
      events.push(`quarantined ${origin.uid}: ${reason}`);
      return outcome('quarantined', null);
    },
    async recordSkipped(origin) {
      events.push(`skipped ${origin.uid}`);
      return outcome('skipped', null);
    },
    async advanceCursor(origin) {
      cursor = origin.uid;
      events.push(`cursor ${origin.uid}`);
    },
    async recordNotDownloaded() {},
    async pendingServerActions() {
      return [];
    },
    async settleServerActions() {},
    async stageAttachments(mail): Promise<StagedAttachments> {
      const fileId = nextFileId++;
      events.push(
        `staged ${mail.subject}: ${mail.attachments.map((a) => a.filename).join(',')} as ${fileId}`
      );
      return { fileIds: [fileId], inlineParts: [] };
    },
    async discardStaged(staged) {
      discarded.push(staged.fileIds);
    },
    turns: {
      // Someone waits once the transaction has stored a message named in `othersWaitAfter`.
      othersWaiting: () =>
        inTransaction && committedInTransaction > 0 && options.othersWaitAfter.includes(cursorCandidate()),
      async giveWay() {
        events.push('give way');
      },
    },
  };
  // The uid of the last message recorded in this transaction (read from the events).
  function cursorCandidate(): number {
    const last = [...events].reverse().find((event) => /^(ticket|blocked) /.test(event));
    return last ? Number(last.split(' ')[1]) : 0;
  }
  return { store, events, discarded, cursor: () => cursor };
}

describe('an import run taking turns on the database', () => {
  it('commits early when someone waits, gives way, then stores the rest in order', async () => {
    const source = memorySource(new Map([1, 2, 3, 4].map((uid) => [uid, plainMail(uid)])));
    const memory = memoryStore({ othersWaitAfter: [1, 3], blocked: [] });
    const summary = await importFolder(source, memory.store, {
      mailboxId: 1,
      cursor: { uidValidity: null, lastUid: 0 },
      maxMessageBytes: 1024 * 1024,
      spoolDir,
    });
    expect(summary.ticketsCreated).toBe(4);
    const transactions = memory.events.filter((event) => !event.startsWith('staged'));
    expect(transactions).toEqual([
      'begin',
      'ticket 1',
      'cursor 1',
      'commit',
      'give way',
      'begin',
      'ticket 2',
      'ticket 3',
      'cursor 3',
      'commit',
      'give way',
      'begin',
      'ticket 4',
      'cursor 4',
      'commit',
    ]);
    expect(memory.cursor()).toBe(4);
    expect(source.acknowledged.sort()).toEqual([1, 2, 3, 4]);
  });

  it('uploads attachments before the transaction and removes those of mail that made no message', async () => {
    const source = memorySource(
      new Map([
        [1, mailWithAttachment(1)],
        [2, plainMail(2)],
        [3, mailWithAttachment(3)],
      ])
    );
    const memory = memoryStore({ othersWaitAfter: [], blocked: [3] });
    await importFolder(source, memory.store, {
      mailboxId: 1,
      cursor: { uidValidity: null, lastUid: 0 },
      maxMessageBytes: 1024 * 1024,
      spoolDir,
      // One transaction for the three, opened after every upload: nothing is uploaded inside it.
      fetchAheadDepth: 3,
    });
    const staged = memory.events.filter((event) => event.startsWith('staged'));
    expect(staged).toHaveLength(2);
    // Staged concurrently (the fetch-ahead prepares several mails at once): found by subject.
    const fileOf = (subject: string) =>
      Number(
        staged.find((event) => event.startsWith(`staged ${subject}: invoice.pdf as `))?.split(' as ')[1]
      );
    const firstFile = fileOf('invoice 1');
    const secondFile = fileOf('invoice 3');
    // The ticket links the file staged for its mail; the blocked mail's file is removed after the commit.
    expect(memory.events).toContain(`ticket 1 with staged files ${firstFile}`);
    expect(memory.events).toContain('blocked 3');
    expect(memory.discarded).toEqual([[secondFile]]);
    expect(Math.max(...staged.map((event) => memory.events.indexOf(event)))).toBeLessThan(
      memory.events.indexOf('begin')
    );
  });
});
