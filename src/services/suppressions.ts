/**
 * Addresses that bounced for good. A permanent failure (5.x.x) on a mail we can prove we sent (VERP token or our own
 * Message-ID) suppresses mail to that address for `bounceSuppressionDays`; an unmatched bounce never does, or anyone
 * could silence a customer with a forged report. Admins can list and lift suppressions.
 */
import type { Core } from '@strapi/strapi';
import type { Suppression } from '../../contracts/api';
import { NotFoundError } from '../errors';
import { normaliseAddress } from '../mail/tokens';
import { UID } from '../uids';
import { pluginConfig } from '../plugin-config';

export interface SuppressionInput {
  address: string;
  status: string | null;
  reason: string;
  receiptId?: number | null;
  ticketId?: number | null;
  outboxId?: number | null;
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const rows = () => strapi.db.query(UID.suppressedAddress as never);

  return {
    /** Call inside the import transaction: the suppression commits with the bounce's receipt. */
    async suppress(input: SuppressionInput): Promise<void> {
      const days = pluginConfig(strapi).bounceSuppressionDays;
      const until = new Date(Date.now() + days * 24 * 3600 * 1000);
      const address = normaliseAddress(input.address);
      const existing = (await rows().findOne({ select: ['id'], where: { address } })) as {
        id: number;
      } | null;
      const data = {
        address,
        status: input.status,
        reason: input.reason.slice(0, 2000),
        suppressedUntil: until,
        receiptId: input.receiptId ?? null,
        ticketId: input.ticketId ?? null,
        outboxId: input.outboxId ?? null,
      };
      if (existing) await rows().updateMany({ where: { id: existing.id }, data });
      else await rows().createMany({ data: [data] });
    },

    /** The active suppression of an address, if any. */
    async activeFor(address: string): Promise<Suppression | null> {
      return (await rows().findOne({
        where: { address: normaliseAddress(address), suppressedUntil: { $gt: new Date() } },
      })) as Suppression | null;
    },

    async list(): Promise<Suppression[]> {
      return (await rows().findMany({ orderBy: [{ id: 'desc' }], limit: 500 })) as Suppression[];
    },

    /** Lifts a suppression (an admin knows the address works again). */
    async remove(id: number): Promise<void> {
      const deleted = (await rows().deleteMany({ where: { id } })) as { count: number };
      if (deleted.count === 0) throw new NotFoundError(`Suppression #${id} does not exist`);
    },
  };
};
