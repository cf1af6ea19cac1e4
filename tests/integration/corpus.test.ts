/**
 * Conformance over real-world mail: every message of the shared corpus (public test fixtures of Zammad, Discourse,
 * mailparser, sisimai, …) goes through the real importer, Dovecot and Strapi. Each must end as a ticket, a reply or
 * a quarantine entry with a reason — no crash, no hang, nothing lost.
 *
 * The corpus is read from EMAIL_PIPING_CORPUS (default ../shared/corpus beside the repository).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DovecotServer } from '../harness/dovecot';
import { withImap } from '../harness/imap';
import { corpusDir, readManifest, type ManifestRow } from '../harness/corpus';
import { bootStrapi, loginAdmin, type AdminSession, type TestStrapi } from '../harness/strapi';
import { ingestSpooledMessage } from '../../src/ingest/ingest-message';
import { spoolBuffer, removeSpooled } from '../../src/ingest/spool';
import { createImportStore } from '../../src/repositories/import-store';

/**
 * Bounce-category files that cannot be read as bounces (tests/unit/bounce-corpus.test.ts says why for each): a CR-only
 * file (one long header line), a report whose MIME structure hides its text, and a list server's "not a member"
 * notice filed under bounces. They must still end somewhere with a reason, like every other message.
 */
const NOT_READABLE_AS_BOUNCE = new Set([
  'sisimai/mac/lhost-postfix-01.eml',
  'sisimai/bsd/lhost-apachejames-01.eml',
  'sisimai/bsd/lhost-fml-02.eml',
]);

/**
 * Real delivery reports the manifest files under another category: a sendmail "could not send message for past 1
 * day" DSN kept by the mail gem as a MIME oddity, and a postmaster's "mailbox full" notice (with a null Return-Path)
 * that sisimai keeps among its negative samples. Recognising them as bounces is right. Discourse's invalid_from_2
 * (a daemon's "Undelivered Mail Returned to Sender" with no address in From) is recorded as an unmatched bounce,
 * which creates nothing — what a daemon's mail should get.
 */
const REPORTS_FILED_ELSEWHERE = new Set([
  'discourse/invalid_from_2.eml',
  'mikel-mail/mime_emails/raw_email_with_mimepart_without_content_type.eml',
  'sisimai/not/rb-issue-368-bug.eml',
]);

describe('corpus conformance', () => {
  let app: TestStrapi;
  let admin: AdminSession;
  const entries = fs.existsSync(path.join(corpusDir, 'MANIFEST.tsv')) ? readManifest() : [];

  beforeAll(async () => {
    app = await bootStrapi({ listen: true });
    admin = await loginAdmin(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('finds the corpus', () => {
    expect(entries.length, `no MANIFEST.tsv under ${corpusDir} (set EMAIL_PIPING_CORPUS)`).toBeGreaterThan(
      400
    );
  });

  it('turns every corpus message into a ticket, a reply or a quarantine entry with a reason', async () => {
    const dovecot = inject('dovecot') as unknown as DovecotServer;
    const user = `corpus-${crypto.randomBytes(4).toString('hex')}@example.test`;
    const created = await admin.request<{ data: { id: number } }>('POST', '/email-piping/mailboxes', {
      name: 'Corpus',
      host: dovecot.host,
      port: dovecot.port,
      security: 'none',
      username: user,
      password: dovecot.password,
    });
    expect(created.status).toBe(201);
    const mailboxId = created.body.data.id;

    // APPEND each message; the few an IMAP server itself refuses (e.g. NUL bytes) go straight into the same
    // ingest road the importer uses, so they are still covered.
    const appended = new Map<number, ManifestRow>();
    const refusedByServer: Array<{ entry: ManifestRow; error: string }> = [];
    await withImap(dovecot, user, async (client) => {
      for (const entry of entries) {
        const raw = fs.readFileSync(path.join(corpusDir, entry.localPath));
        try {
          const result = await client.append('INBOX', raw);
          if (!result || typeof result.uid !== 'number') throw new Error('no UID');
          appended.set(result.uid, entry);
        } catch (error) {
          refusedByServer.push({ entry, error: (error as Error).message });
        }
      }
    });

    const run = await admin.request<{ data: { status: string; summary: Record<string, number> } }>(
      'POST',
      `/email-piping/mailboxes/${mailboxId}/run?wait=true`
    );
    expect(run.status).toBe(200);
    expect(run.body.data.status, JSON.stringify(run.body.data)).toBe('imported');

    const receipts = (await app.strapi.db.query('plugin::email-piping.inbound-receipt' as never).findMany({
      select: ['uid', 'outcome', 'reason', 'ticketId', 'mailClass'],
      where: { mailboxId },
    })) as Array<{
      uid: number | string;
      outcome: string;
      reason: string | null;
      ticketId: number | null;
      mailClass: string | null;
    }>;
    const byUid = new Map(receipts.map((receipt) => [Number(receipt.uid), receipt]));

    const outcomes: Record<string, number> = {};
    const problems: string[] = [];
    for (const [uid, entry] of appended) {
      const receipt = byUid.get(uid);
      if (!receipt) {
        problems.push(`${entry.localPath}: no receipt`);
        continue;
      }
      outcomes[receipt.outcome] = (outcomes[receipt.outcome] ?? 0) + 1;
      if (receipt.outcome === 'quarantined' && !receipt.reason)
        problems.push(`${entry.localPath}: quarantined without a reason`);
      if ((receipt.outcome === 'ticket-created' || receipt.outcome === 'reply-added') && !receipt.ticketId) {
        problems.push(`${entry.localPath}: ${receipt.outcome} without a ticket`);
      }
      // The default block rules (mailer-daemon@, postmaster@, noreply@, no-reply@) stop machine mail: recorded,
      // with the rule that blocked it.
      if (
        receipt.outcome === 'blocked' &&
        !/^blocked by .*(mailer-daemon|postmaster|noreply|no-reply)/i.test(receipt.reason ?? '')
      ) {
        problems.push(`${entry.localPath}: blocked for an unexpected reason: ${receipt.reason}`);
      }
      if (receipt.outcome === 'refused')
        problems.push(`${entry.localPath}: refused by a mailbox that admits everyone`);
      if (receipt.outcome === 'own-mail' || receipt.outcome === 'unmonitored')
        problems.push(`${entry.localPath}: ${receipt.outcome} in a corpus of other people's mail`);
      // Loop protection: each bounce is recognised as one (recorded, never a ticket), each auto-reply is flagged.
      if (
        entry.category === 'bounce' &&
        receipt.outcome !== 'bounce' &&
        !NOT_READABLE_AS_BOUNCE.has(entry.localPath)
      )
        problems.push(`${entry.localPath}: a bounce that ended as ${receipt.outcome} (${receipt.reason})`);
      if (
        entry.category !== 'bounce' &&
        receipt.outcome === 'bounce' &&
        !REPORTS_FILED_ELSEWHERE.has(entry.localPath)
      )
        problems.push(`${entry.localPath} (${entry.category}): taken for a bounce`);
      if (
        entry.category === 'auto-reply' &&
        !['auto-reply', 'out-of-office'].includes(receipt.mailClass ?? '')
      )
        problems.push(`${entry.localPath}: an auto-reply classed as ${receipt.mailClass}`);
      if (receipt.outcome === 'skipped' && !/duplicate/.test(receipt.reason ?? '')) {
        problems.push(`${entry.localPath}: skipped for an unexpected reason: ${receipt.reason}`);
      }
    }

    if (process.env.CORPUS_VERBOSE) {
      for (const [uid, entry] of appended) {
        const r = byUid.get(uid);
        if (r && r.outcome !== 'ticket-created' && r.outcome !== 'reply-added')
          console.log(entry.localPath, entry.category, r.outcome, r.reason);
      }
    }
    const store = createImportStore(app.strapi);
    const spoolDir = path.join(app.workDir, 'spool');
    let directUid = 10_000_000;
    for (const { entry } of refusedByServer) {
      const raw = await spoolBuffer(fs.readFileSync(path.join(corpusDir, entry.localPath)), spoolDir);
      try {
        const outcome = await ingestSpooledMessage(
          raw,
          { mailboxId, uidValidity: 'direct', uid: (directUid += 1) },
          store,
          { spoolDir }
        );
        outcomes[outcome.outcome] = (outcomes[outcome.outcome] ?? 0) + 1;
        if (outcome.outcome === 'quarantined' && !outcome.reason)
          problems.push(`${entry.localPath}: no reason`);
      } finally {
        await removeSpooled(raw);
      }
    }

    console.log(
      `corpus: ${entries.length} messages, ${appended.size} via IMAP, ${refusedByServer.length} refused by Dovecot ` +
        `(${refusedByServer.map((r) => r.entry.localPath).join(', ') || 'none'}); outcomes ${JSON.stringify(outcomes)}`
    );
    expect(problems).toEqual([]);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(entries.length);
    // Most real mail must become tickets (or be stopped by a block rule): a regression that quarantines everything
    // fails here.
    expect(
      (outcomes['ticket-created'] ?? 0) +
        (outcomes['reply-added'] ?? 0) +
        (outcomes.blocked ?? 0) +
        (outcomes.bounce ?? 0)
    ).toBeGreaterThan(entries.length * 0.85);
    expect(outcomes['ticket-created'] ?? 0).toBeGreaterThan(entries.length * 0.7);
  });
});
