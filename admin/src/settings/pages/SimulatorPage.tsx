/**
 * The rule simulator: paste or upload a raw mail (.eml), choose a mailbox, and see what the importer would decide —
 * outcome, flags, thread, matched rules and their trace — without anything being stored (`POST /simulate`).
 */
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import { Alert, Badge, Box, Button, Flex, Grid, Typography } from '@strapi/design-system';
import { Play } from '@strapi/icons';
import { BASE, type SimulationResult } from '../api';
import { INBOUND_FLAG_NAMES } from '../../../../contracts/api';
import { GridCell, SelectField, Section, TextAreaField } from '../components/fields';
import { PluginPage } from '../components/PluginPage';
import { describeAction } from '../components/ruleLabels';
import { settingsPage } from '../components/SettingsPage';
import { useMailboxes } from '../hooks/useMailboxes';
import { useServerForm } from '../hooks/useServerForm';
import { useT, type T } from '../useT';

const OUTCOME_VARIANTS: Record<
  string,
  'success' | 'primary' | 'danger' | 'warning' | 'neutral' | 'secondary'
> = {
  'ticket-created': 'success',
  'reply-added': 'primary',
  quarantined: 'danger',
  blocked: 'danger',
  refused: 'warning',
  bounce: 'warning',
  'read-receipt': 'neutral',
  'own-mail': 'neutral',
  unmonitored: 'secondary',
};

function outcomeLabel(t: T, outcome: string): string {
  const labels: Record<string, string> = {
    'ticket-created': t('settings.outcome.ticketCreated', 'A new ticket'),
    'reply-added': t('settings.outcome.replyAdded', 'A reply on an existing ticket'),
    quarantined: t('settings.outcome.quarantined', 'Quarantined'),
    blocked: t('settings.outcome.blocked', 'Blocked by a block rule'),
    refused: t('settings.outcome.refused', 'Refused'),
    bounce: t('settings.outcome.bounce', 'A bounce'),
    'read-receipt': t('settings.outcome.readReceipt', 'A read receipt'),
    'own-mail': t('settings.outcome.ownMail', 'Our own mail come back'),
    unmonitored: t('settings.outcome.unmonitored', 'Unmonitored mailbox'),
  };
  return labels[outcome] ?? outcome;
}

const Row = ({ label, children }: { label: string; children: React.ReactNode }) => (
  <Flex gap={4} alignItems="flex-start">
    <Box minWidth="180px">
      <Typography variant="sigma" textColor="neutral600">
        {label}
      </Typography>
    </Box>
    <Box flex="1">{typeof children === 'string' ? <Typography>{children}</Typography> : children}</Box>
  </Flex>
);

const SimulationView = ({ result }: { result: SimulationResult }) => {
  const t = useT();
  const flagNames: Record<string, string> = {
    autoReply: t('settings.simulator.flag.autoReply', 'Auto-reply'),
    outOfOffice: t('settings.simulator.flag.outOfOffice', 'Out of office'),
    bounce: t('settings.simulator.flag.bounce', 'Bounce'),
    readReceipt: t('settings.simulator.flag.readReceipt', 'Read receipt'),
    list: t('settings.simulator.flag.list', 'Mailing list'),
    ownMail: t('settings.simulator.flag.ownMail', 'Own mail'),
    automatic: t('settings.simulator.flag.automatic', 'Automatic'),
    suppressAutoResponse: t('settings.simulator.flag.suppressAutoResponse', 'Asks for no auto-reply'),
  };
  const flags = result.flags ?? null;
  const raised = flags ? INBOUND_FLAG_NAMES.filter((key) => flags[key] === true) : [];
  const authentication = (flags?.authentication ?? null) as { result: string; reason: string } | null;
  const thread = result.thread;
  return (
    <Section title={t('settings.simulator.result', 'Decision')}>
      <Flex direction="column" alignItems="stretch" gap={3} data-testid="simulation-result">
        <Row label={t('settings.simulator.outcome', 'Outcome')}>
          <Flex gap={2} wrap="wrap">
            <Badge variant={OUTCOME_VARIANTS[result.outcome] ?? 'neutral'} data-outcome={result.outcome}>
              {outcomeLabel(t, result.outcome)}
            </Badge>
            {result.reason ? <Typography>{result.reason}</Typography> : null}
          </Flex>
        </Row>
        {result.mail ? (
          <Row label={t('settings.simulator.mail', 'Mail')}>
            <Flex direction="column" alignItems="flex-start" gap={1}>
              <Typography>
                {t('settings.simulator.from', 'From: {from}', { from: result.mail.from })}
              </Typography>
              <Typography>
                {t('settings.simulator.to', 'To: {to}', { to: result.mail.to.join(', ') || '–' })}
              </Typography>
              {result.mail.cc.length > 0 ? (
                <Typography>
                  {t('settings.simulator.cc', 'Cc: {cc}', { cc: result.mail.cc.join(', ') })}
                </Typography>
              ) : null}
              <Typography>
                {t('settings.simulator.subject', 'Subject: {subject}', {
                  subject: result.mail.subject ?? '–',
                })}
              </Typography>
            </Flex>
          </Row>
        ) : null}
        {flags ? (
          <Row label={t('settings.simulator.flags', 'Flags')}>
            <Flex direction="column" alignItems="flex-start" gap={1}>
              <Flex gap={2} wrap="wrap">
                <Badge variant="secondary">
                  {t('settings.simulator.mailClass', 'Class: {mailClass}', { mailClass: flags.mailClass })}
                </Badge>
                {raised.map((key) => (
                  <Badge key={key} variant="warning">
                    {flagNames[key]}
                  </Badge>
                ))}
              </Flex>
              {(flags.reasons ?? []).map((reason, i) => (
                <Typography key={i} variant="pi" textColor="neutral600">
                  {reason}
                </Typography>
              ))}
            </Flex>
          </Row>
        ) : null}
        {authentication ? (
          <Row label={t('settings.simulator.authentication', 'Sender authentication')}>
            <Flex direction="column" alignItems="flex-start" gap={1}>
              <Badge
                variant={
                  authentication.result === 'pass'
                    ? 'success'
                    : authentication.result === 'fail'
                      ? 'danger'
                      : 'secondary'
                }
              >
                {authentication.result}
              </Badge>
              <Typography variant="pi" textColor="neutral600">
                {authentication.reason}
              </Typography>
              {result.plan?.kind === 'unverified-agent-mail' ? (
                <Typography variant="pi" textColor="danger600">
                  {t(
                    'settings.simulator.unverifiedAgentMail',
                    'Unverified agent mail: kept as an internal note, sent to nobody ({reason})',
                    { reason: result.plan.reason ?? '' }
                  )}
                </Typography>
              ) : null}
            </Flex>
          </Row>
        ) : null}
        {result.automatic?.automatic ? (
          <Row label={t('settings.simulator.automatic', 'Automatic mail')}>
            {result.automatic.reason ?? t('settings.common.yes', 'Yes')}
          </Row>
        ) : null}
        {thread ? (
          <Row label={t('settings.simulator.thread', 'Thread')}>
            {thread.kind === 'existing'
              ? t('settings.simulator.thread.existing', 'Belongs to ticket #{number} (found by {via})', {
                  number: thread.ticketNumber ?? '?',
                  via: thread.via ?? '?',
                })
              : t('settings.simulator.thread.new', 'Opens a new ticket')}
          </Row>
        ) : null}
        {result.forwardingAddress ? (
          <Row label={t('settings.simulator.forwardingAddress', 'Forwarding address')}>
            {result.forwardingAddress}
          </Row>
        ) : null}
        {result.plan ? (
          <Row label={t('settings.simulator.notifications', 'Notifications')}>
            {(result.notifications ?? []).length > 0
              ? (result.notifications ?? []).join(', ')
              : t('settings.simulator.noNotifications', 'None')}
          </Row>
        ) : null}
        {result.addedRecipients && result.addedRecipients.length > 0 ? (
          <Row label={t('settings.simulator.addedRecipients', 'New recipients')}>
            {result.addedRecipients.map((address) => address.address).join(', ')}
          </Row>
        ) : null}
        {result.rules ? (
          <>
            <Row label={t('settings.simulator.matchedRules', 'Matched rules')}>
              {result.rules.matched.length > 0 ? (
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  {result.rules.matched.map((rule) => (
                    <Typography key={rule.ruleId} fontWeight="bold" data-testid="matched-rule">
                      {`#${rule.ruleId} ${rule.name}`}
                    </Typography>
                  ))}
                  {result.rules.priority ? (
                    <Typography>
                      {describeAction(t, { type: 'setPriority', value: result.rules.priority })}
                    </Typography>
                  ) : null}
                  {result.rules.status ? (
                    <Typography>
                      {describeAction(t, { type: 'setStatus', value: result.rules.status })}
                    </Typography>
                  ) : null}
                  {result.rules.tags.length > 0 ? (
                    <Typography>
                      {describeAction(t, { type: 'addTags', value: result.rules.tags })}
                    </Typography>
                  ) : null}
                  {result.rules.category ? (
                    <Typography>
                      {describeAction(t, { type: 'setCategory', value: result.rules.category })}
                    </Typography>
                  ) : null}
                  {result.rules.skipNotifications ? (
                    <Typography>{describeAction(t, { type: 'skipNotifications' })}</Typography>
                  ) : null}
                </Flex>
              ) : (
                t('settings.simulator.noRule', 'No rule matched')
              )}
            </Row>
            <Row label={t('settings.simulator.trace', 'Trace')}>
              <Box tag="ol" paddingLeft={4} data-testid="simulation-trace">
                {result.rules.trace.map((line, i) => (
                  <li key={i}>
                    <Typography variant="pi" fontWeight="regular">
                      {line}
                    </Typography>
                  </li>
                ))}
              </Box>
            </Row>
          </>
        ) : null}
      </Flex>
    </Section>
  );
};

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return window.btoa(binary);
}

const Simulator = () => {
  const t = useT();
  const { post } = useFetchClient();
  const { mailboxes, error: mailboxesError, options: mailboxOptions } = useMailboxes();
  const [mailboxId, setMailboxId] = useState('');
  const [eml, setEml] = useState('');
  const [upload, setUpload] = useState<{ name: string; base64: string } | null>(null);
  const [result, setResult] = useState<SimulationResult | null>(null);
  const { errors, send, isSending, clearErrors } = useServerForm<'simulate'>();
  // The refusal's message is shown above the result, not as a notification: it is the answer to this mail.
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    if (!mailboxId && mailboxes && mailboxes.length > 0) setMailboxId(String(mailboxes[0].id));
  }, [mailboxes, mailboxId]);

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setUpload({ name: file.name, base64: toBase64(await file.arrayBuffer()) });
    setEml('');
  };

  const simulate = (event: FormEvent) => {
    event.preventDefault();
    setRefusal(null);
    setResult(null);
    return send(
      'simulate',
      async () => {
        const body = upload
          ? { mailboxId: Number(mailboxId), eml: upload.base64, encoding: 'base64' }
          : { mailboxId: Number(mailboxId), eml };
        const { data } = await post<{ data: SimulationResult }>(`${BASE}/simulate`, body);
        setResult(data.data);
      },
      { notify: false, onRefusal: (problem) => setRefusal(problem.message) }
    );
  };

  if (mailboxesError) return <Page.Error />;
  if (!mailboxes) return <Page.Loading />;

  return (
    <PluginPage
      title={t('settings.simulator.title', 'Rule simulator')}
      subtitle={t(
        'settings.simulator.subtitle',
        'What the importer would decide for a mail: block rules, allowed mail, thread and piping rules. Nothing is stored.'
      )}
    >
      <Flex direction="column" alignItems="stretch" gap={6}>
        <form onSubmit={simulate}>
          <Section title={t('settings.simulator.input', 'Mail to try')}>
            <Grid.Root gap={4}>
              <GridCell>
                <SelectField
                  name="mailboxId"
                  label={t('settings.simulator.mailbox', 'Mailbox')}
                  value={mailboxId}
                  error={errors.mailboxId}
                  onChange={setMailboxId}
                  options={mailboxOptions}
                />
              </GridCell>
              <GridCell>
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  <Typography variant="pi" fontWeight="bold" tag="label" htmlFor="simulator-upload">
                    {t('settings.simulator.upload', 'Upload an .eml file')}
                  </Typography>
                  <input id="simulator-upload" type="file" accept=".eml,message/rfc822" onChange={onFile} />
                  {upload ? (
                    <Flex gap={2}>
                      <Typography variant="pi">{upload.name}</Typography>
                      <Button size="S" variant="tertiary" type="button" onClick={() => setUpload(null)}>
                        {t('settings.simulator.clearUpload', 'Use pasted text instead')}
                      </Button>
                    </Flex>
                  ) : null}
                </Flex>
              </GridCell>
            </Grid.Root>
            {!upload ? (
              <TextAreaField
                name="eml"
                label={t('settings.simulator.eml', 'Raw mail (.eml)')}
                hint={t(
                  'settings.simulator.emlHint',
                  'Paste the whole source of a mail: its headers, an empty line, then its body.'
                )}
                rows={12}
                value={eml}
                error={errors.eml}
                onChange={setEml}
                placeholder={
                  'From: customer@example.com\nTo: support@example.com\nSubject: Urgent: printer\n\nHello…'
                }
              />
            ) : null}
            <Box>
              <Button
                type="submit"
                startIcon={<Play />}
                loading={isSending('simulate')}
                disabled={!mailboxId}
              >
                {t('settings.simulator.run', 'Simulate')}
              </Button>
            </Box>
            {refusal ? (
              <Alert
                variant="danger"
                closeLabel={t('settings.common.close', 'Close')}
                onClose={() => {
                  setRefusal(null);
                  clearErrors();
                }}
              >
                {refusal}
              </Alert>
            ) : null}
          </Section>
        </form>
        {result ? <SimulationView result={result} /> : null}
      </Flex>
    </PluginPage>
  );
};

export default settingsPage(Simulator);
