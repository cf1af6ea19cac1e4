/**
 * The agent's writing box under the thread: a reply (mailed to the requester and CC through the outbox) or an
 * internal note (stays in the admin). Shown only to users with tickets.reply.
 */
import { useState, type FormEvent } from 'react';
import { useIntl } from 'react-intl';
import {
  Box,
  Button,
  Field,
  Flex,
  SingleSelect,
  SingleSelectOption,
  Tabs,
  Textarea,
} from '@strapi/design-system';
import { Lock, PaperPlane } from '@strapi/icons';
import { STATUSES, type TicketStatus } from '../utils/api';
import { STATUS_LABELS } from '../utils/labels';
import { getTranslation } from '../utils/getTranslation';

interface ComposerProps {
  ticketStatus: TicketStatus;
  recipients: string[];
  onReply(text: string, status: TicketStatus): Promise<boolean>;
  onNote(text: string): Promise<boolean>;
}

export const Composer = ({ ticketStatus, recipients, onReply, onNote }: ComposerProps) => {
  const { formatMessage, formatList } = useIntl();
  const [reply, setReply] = useState('');
  const [note, setNote] = useState('');
  const [statusAfter, setStatusAfter] = useState<TicketStatus>(
    ticketStatus === 'closed' ? 'closed' : 'pending'
  );
  const [busy, setBusy] = useState<'reply' | 'note' | null>(null);

  const submitReply = async (event: FormEvent) => {
    event.preventDefault();
    if (!reply.trim() || busy) return;
    setBusy('reply');
    try {
      if (await onReply(reply, statusAfter)) setReply('');
    } finally {
      setBusy(null);
    }
  };

  const submitNote = async (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim() || busy) return;
    setBusy('note');
    try {
      if (await onNote(note)) setNote('');
    } finally {
      setBusy(null);
    }
  };

  return (
    <Box background="neutral0" padding={4} hasRadius shadow="tableShadow">
      <Tabs.Root defaultValue="reply" variant="simple">
        <Tabs.List
          aria-label={formatMessage({
            id: getTranslation('composer.label'),
            defaultMessage: 'Answer the ticket',
          })}
        >
          <Tabs.Trigger value="reply">
            {formatMessage({ id: getTranslation('composer.tab.reply'), defaultMessage: 'Reply' })}
          </Tabs.Trigger>
          <Tabs.Trigger value="note">
            {formatMessage({ id: getTranslation('composer.tab.note'), defaultMessage: 'Internal note' })}
          </Tabs.Trigger>
        </Tabs.List>

        <Tabs.Content value="reply">
          <form onSubmit={submitReply}>
            <Flex direction="column" alignItems="stretch" gap={4} paddingTop={4}>
              <Field.Root
                name="reply"
                hint={
                  recipients.length > 0
                    ? formatMessage(
                        {
                          id: getTranslation('composer.reply.hint'),
                          defaultMessage: 'Mailed to {recipients}.',
                        },
                        { recipients: formatList(recipients, { type: 'conjunction' }) }
                      )
                    : undefined
                }
              >
                <Field.Label>
                  {formatMessage({
                    id: getTranslation('composer.reply.label'),
                    defaultMessage: 'Reply to the customer',
                  })}
                </Field.Label>
                <Textarea value={reply} onChange={(event) => setReply(event.target.value)} rows={6} />
                <Field.Hint />
              </Field.Root>
              <Flex gap={4} alignItems="flex-end" justifyContent="space-between" wrap="wrap">
                <Box minWidth="240px">
                  <Field.Root name="statusAfterReply">
                    <Field.Label>
                      {formatMessage({
                        id: getTranslation('composer.reply.statusAfter'),
                        defaultMessage: 'Status after sending',
                      })}
                    </Field.Label>
                    <SingleSelect
                      value={statusAfter}
                      onChange={(value) => setStatusAfter(String(value) as TicketStatus)}
                    >
                      {STATUSES.map((status) => (
                        <SingleSelectOption key={status} value={status}>
                          {formatMessage(STATUS_LABELS[status])}
                        </SingleSelectOption>
                      ))}
                    </SingleSelect>
                  </Field.Root>
                </Box>
                <Button
                  type="submit"
                  startIcon={<PaperPlane />}
                  loading={busy === 'reply'}
                  disabled={!reply.trim() || busy !== null}
                >
                  {formatMessage({ id: getTranslation('composer.reply.send'), defaultMessage: 'Send reply' })}
                </Button>
              </Flex>
            </Flex>
          </form>
        </Tabs.Content>

        <Tabs.Content value="note">
          <form onSubmit={submitNote}>
            <Flex direction="column" alignItems="stretch" gap={4} paddingTop={4}>
              <Field.Root
                name="note"
                hint={formatMessage({
                  id: getTranslation('composer.note.hint'),
                  defaultMessage: 'Only agents see notes. They are never mailed.',
                })}
              >
                <Field.Label>
                  {formatMessage({
                    id: getTranslation('composer.note.label'),
                    defaultMessage: 'Internal note',
                  })}
                </Field.Label>
                <Textarea value={note} onChange={(event) => setNote(event.target.value)} rows={4} />
                <Field.Hint />
              </Field.Root>
              <Flex justifyContent="flex-end">
                <Button
                  type="submit"
                  variant="secondary"
                  startIcon={<Lock />}
                  loading={busy === 'note'}
                  disabled={!note.trim() || busy !== null}
                >
                  {formatMessage({ id: getTranslation('composer.note.add'), defaultMessage: 'Add note' })}
                </Button>
              </Flex>
            </Flex>
          </form>
        </Tabs.Content>
      </Tabs.Root>
    </Box>
  );
};
