/**
 * One entry of a ticket's thread. Four kinds, each looking different:
 * - inbound: the customer's mail (left, white);
 * - outbound: an agent's reply (right, blue);
 * - note: an internal note (`system` by an agent; yellow, says it was never mailed);
 * - system: an event such as a bounce (a centred notice, never a customer bubble).
 */
import { useState } from 'react';
import { useIntl } from 'react-intl';
import { Badge, Box, Flex, Link, TextButton, Typography } from '@strapi/design-system';
import { Lock, Paperclip, WarningCircle } from '@strapi/icons';
import type { Attachment, TicketMessage } from '../utils/api';
import { FLAG_LABELS, MAIL_CLASS_FLAGS } from '../utils/labels';
import { getTranslation } from '../utils/getTranslation';
import { AuthenticationBadge } from './AuthenticationBadge';
import { MailFrame } from './MailFrame';

export type MessageKind = 'inbound' | 'outbound' | 'note' | 'system';

export function messageKind(message: TicketMessage): MessageKind {
  if (message.direction === 'system') return message.author === 'agent' ? 'note' : 'system';
  return message.direction;
}

const LOOK: Record<
  MessageKind,
  { background: string; borderColor: string; align: 'flex-start' | 'flex-end' }
> = {
  inbound: { background: 'neutral0', borderColor: 'neutral200', align: 'flex-start' },
  outbound: { background: 'primary100', borderColor: 'primary200', align: 'flex-end' },
  note: { background: 'warning100', borderColor: 'warning200', align: 'flex-start' },
  system: { background: 'danger100', borderColor: 'danger200', align: 'flex-start' },
};

function flagsOf(message: TicketMessage): string[] {
  const set = new Set((message.flags?.set ?? []).filter((flag) => flag in FLAG_LABELS));
  const fromClass = message.mailClass ? MAIL_CLASS_FLAGS[message.mailClass] : undefined;
  if (fromClass) set.add(fromClass);
  // The most precise flags only: a bounce or an out-of-office note is an auto-reply too, and everything is automatic.
  if (set.has('bounce') || set.has('outOfOffice')) set.delete('autoReply');
  if (set.size > 1) set.delete('automatic');
  return [...set];
}

function formatSize(kilobytes: number | null): string | null {
  if (kilobytes === null || kilobytes === undefined || Number.isNaN(Number(kilobytes))) return null;
  const size = Number(kilobytes);
  if (size >= 1024) return `${(size / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(size))} KB`;
}

const Body = ({ text }: { text: string }) => (
  <Typography
    tag="div"
    variant="omega"
    textColor="neutral800"
    style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
  >
    {text}
  </Typography>
);

const Attachments = ({ attachments }: { attachments: Attachment[] }) => {
  const { formatMessage } = useIntl();
  return (
    <Flex direction="column" alignItems="flex-start" gap={1}>
      <Typography variant="sigma" textColor="neutral600">
        {formatMessage({ id: getTranslation('message.attachments'), defaultMessage: 'Attachments' })}
      </Typography>
      {attachments.map((file) => (
        <Flex key={file.id} gap={2}>
          <Paperclip aria-hidden fill="neutral500" />
          {/* `download`: the file is saved, never rendered by the admin (same-origin uploads). */}
          <Link href={file.url} download={file.name} rel="noopener noreferrer" target="_blank">
            {file.name}
          </Link>
          <Typography variant="pi" textColor="neutral600">
            {[file.mime, formatSize(file.size)].filter(Boolean).join(' · ')}
          </Typography>
        </Flex>
      ))}
    </Flex>
  );
};

interface ThreadMessageProps {
  message: TicketMessage;
  /** Names an admin user (note and reply authors). */
  userName: (id: number | null) => string | null;
}

export const ThreadMessage = ({ message, userName }: ThreadMessageProps) => {
  const { formatMessage, formatDate } = useIntl();
  const [showQuoted, setShowQuoted] = useState(false);
  const [showRemoteImages, setShowRemoteImages] = useState(false);
  const kind = messageKind(message);
  const look = LOOK[kind];
  const when = formatDate(message.sentAt ?? message.createdAt, { dateStyle: 'medium', timeStyle: 'short' });
  const author =
    message.fromName ||
    userName(message.adminUserId) ||
    message.fromAddress ||
    formatMessage({ id: getTranslation('message.unknownSender'), defaultMessage: 'Unknown sender' });
  const flags = flagsOf(message);
  const inlineParts = message.inlineParts ?? [];
  const attachments = message.attachments ?? [];
  const hasQuoted = Boolean(message.quotedHtml || message.quotedText);

  const kindLabel = {
    inbound: formatMessage({ id: getTranslation('message.kind.inbound'), defaultMessage: 'Customer' }),
    outbound: formatMessage({ id: getTranslation('message.kind.outbound'), defaultMessage: 'Reply' }),
    note: formatMessage({ id: getTranslation('message.kind.note'), defaultMessage: 'Internal note' }),
    system: formatMessage({ id: getTranslation('message.kind.system'), defaultMessage: 'System event' }),
  }[kind];

  if (kind === 'system') {
    return (
      <Flex
        tag="article"
        aria-label={`${kindLabel}: ${when}`}
        data-message-kind={kind}
        data-message-id={message.id}
        direction="column"
        alignItems="stretch"
        gap={2}
        padding={3}
        marginLeft={6}
        marginRight={6}
        background={look.background}
        borderColor={look.borderColor}
        borderStyle="dashed"
        borderWidth="1px"
        hasRadius
      >
        <Flex gap={2} wrap="wrap">
          <WarningCircle aria-hidden fill="danger600" />
          <Typography variant="sigma" textColor="danger700">
            {kindLabel}
          </Typography>
          {flags.map((flag) => (
            <Badge key={flag} variant="danger" size="S" title={(message.flags?.reasons ?? []).join('\n')}>
              {formatMessage(FLAG_LABELS[flag])}
            </Badge>
          ))}
          <Typography variant="pi" textColor="neutral600">
            {when}
          </Typography>
        </Flex>
        {message.textBody ? <Body text={message.textBody} /> : null}
      </Flex>
    );
  }

  return (
    <Flex justifyContent={look.align}>
      <Flex
        tag="article"
        aria-label={`${kindLabel}: ${author}, ${when}`}
        data-message-kind={kind}
        data-message-id={message.id}
        direction="column"
        alignItems="stretch"
        gap={3}
        padding={4}
        width={kind === 'note' ? '100%' : '88%'}
        background={look.background}
        borderColor={look.borderColor}
        borderStyle="solid"
        borderWidth="1px"
        hasRadius
        shadow={kind === 'inbound' ? 'tableShadow' : undefined}
      >
        <Flex justifyContent="space-between" alignItems="flex-start" gap={2} wrap="wrap">
          <Flex direction="column" alignItems="flex-start" gap={1}>
            <Flex gap={2} wrap="wrap">
              {kind === 'note' ? <Lock aria-hidden fill="warning600" /> : null}
              <Typography fontWeight="bold" textColor="neutral800">
                {author}
              </Typography>
              {message.fromAddress && message.fromAddress !== author ? (
                <Typography variant="pi" textColor="neutral600">
                  &lt;{message.fromAddress}&gt;
                </Typography>
              ) : null}
              <Badge
                size="S"
                variant={kind === 'outbound' ? 'primary' : kind === 'note' ? 'warning' : 'neutral'}
              >
                {kindLabel}
              </Badge>
              {flags.map((flag) => (
                <Badge
                  key={flag}
                  size="S"
                  variant="secondary"
                  title={(message.flags?.reasons ?? []).join('\n')}
                >
                  {formatMessage(FLAG_LABELS[flag])}
                </Badge>
              ))}
              <AuthenticationBadge message={message} note={kind === 'note'} />
            </Flex>
            {kind === 'note' ? (
              <Typography variant="pi" textColor="warning700">
                {formatMessage({
                  id: getTranslation('message.note.hint'),
                  defaultMessage: 'Only agents see this note. It was not mailed to anyone.',
                })}
              </Typography>
            ) : null}
          </Flex>
          <Typography variant="pi" textColor="neutral600">
            {when}
          </Typography>
        </Flex>

        {message.flags?.htmlNotice ? (
          <Typography variant="pi" textColor="warning700" data-html-notice>
            {message.flags.htmlNotice}
          </Typography>
        ) : null}
        {message.htmlBody ? (
          <MailFrame
            html={message.htmlBody}
            inlineParts={inlineParts}
            title={formatMessage(
              { id: getTranslation('message.frameTitle'), defaultMessage: 'Mail from {author}' },
              { author }
            )}
            showRemoteImages={showRemoteImages}
            onShowRemoteImages={() => setShowRemoteImages(true)}
          />
        ) : message.textBody ? (
          <Body text={message.textBody} />
        ) : (
          <Typography variant="pi" textColor="neutral500">
            {formatMessage({ id: getTranslation('message.empty'), defaultMessage: '(no text)' })}
          </Typography>
        )}

        {hasQuoted ? (
          <Flex direction="column" alignItems="stretch" gap={2}>
            <Box>
              <TextButton aria-expanded={showQuoted} onClick={() => setShowQuoted((shown) => !shown)}>
                {showQuoted
                  ? formatMessage({
                      id: getTranslation('message.quoted.hide'),
                      defaultMessage: 'Hide quoted text',
                    })
                  : formatMessage({
                      id: getTranslation('message.quoted.show'),
                      defaultMessage: 'Show quoted text',
                    })}
              </TextButton>
            </Box>
            {showQuoted ? (
              message.quotedHtml ? (
                <MailFrame
                  html={message.quotedHtml}
                  inlineParts={inlineParts}
                  title={formatMessage({
                    id: getTranslation('message.quoted.frameTitle'),
                    defaultMessage: 'Quoted text',
                  })}
                  showRemoteImages={showRemoteImages}
                  onShowRemoteImages={() => setShowRemoteImages(true)}
                />
              ) : (
                <Box paddingLeft={3} borderColor="neutral300" borderStyle="solid" borderWidth="0 0 0 3px">
                  <Body text={message.quotedText ?? ''} />
                </Box>
              )
            ) : null}
          </Flex>
        ) : null}

        {attachments.length > 0 ? <Attachments attachments={attachments} /> : null}
      </Flex>
    </Flex>
  );
};
