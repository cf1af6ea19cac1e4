/**
 * The sender authentication verdict of an imported mail (see the server's mail/authenticate.ts), as a badge whose
 * tooltip gives the reason. An internal note carrying a verdict was imported, not typed: it is an unverified agent
 * mail (from an agent address, without the agent's token and an authenticated sender), and says so louder.
 */
import { useIntl } from 'react-intl';
import { Badge } from '@strapi/design-system';
import type { TicketMessage } from '../utils/api';
import { getTranslation } from '../utils/getTranslation';

const LOOK = {
  pass: { variant: 'success', id: 'message.auth.pass', defaultMessage: 'Sender verified' },
  fail: { variant: 'danger', id: 'message.auth.fail', defaultMessage: 'Sender not authenticated' },
  none: { variant: 'neutral', id: 'message.auth.none', defaultMessage: 'Sender unverified' },
} as const;

export const AuthenticationBadge = ({ message, note }: { message: TicketMessage; note: boolean }) => {
  const { formatMessage } = useIntl();
  const verdict = message.authentication;
  if (!verdict) return null;
  const look = LOOK[verdict.result] ?? LOOK.none;
  return (
    <>
      {note ? (
        <Badge size="S" variant="danger" data-unverified-agent-mail title={verdict.reason}>
          {formatMessage({
            id: getTranslation('message.auth.unverifiedAgent'),
            defaultMessage: 'Unverified agent mail',
          })}
        </Badge>
      ) : null}
      <Badge size="S" variant={look.variant} data-authentication={verdict.result} title={verdict.reason}>
        {formatMessage({ id: getTranslation(look.id), defaultMessage: look.defaultMessage })}
      </Badge>
    </>
  );
};
