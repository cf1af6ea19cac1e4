/**
 * The piping rule editor: conditions (field, header name, exact / wildcard / regex, case, negation; all or any of
 * them) and actions. The server validates on save (an unsafe regular expression is refused); each refusal names its
 * field, e.g. `conditions[0].pattern`, and is shown under that field.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { BackButton, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { Box, Button, Checkbox, Flex, Grid, IconButton, Typography } from '@strapi/design-system';
import { Check, Plus, Trash } from '@strapi/icons';
import {
  ACTION_TYPES,
  BASE,
  CONDITION_FIELDS,
  MATCH_MODES,
  PRIORITIES,
  readServerError,
  splitLines,
  STATUSES,
  type ActionType,
  type ConditionField,
  type MatchMode,
  type PipingRule,
  type RuleAction,
} from '../api';
import { useT } from '../useT';
import { SelectField, Section, TextField, ToggleField } from '../components/fields';
import {
  actionLabels,
  fieldLabels,
  modeLabels,
  priorityLabels,
  statusLabels,
} from '../components/ruleLabels';
import { SettingsPage } from '../components/SettingsPage';
import { useAdminUserOptions } from '../components/useAdminUserOptions';
import { useMailboxes } from '../components/useMailboxes';

interface ConditionDraft {
  key: number;
  field: ConditionField;
  header: string;
  mode: MatchMode;
  pattern: string;
  caseSensitive: boolean;
  negate: boolean;
}

interface ActionDraft {
  key: number;
  type: ActionType;
  value: string;
}

interface RuleDraft {
  name: string;
  enabled: boolean;
  match: 'all' | 'any';
  mailboxId: string;
  conditions: ConditionDraft[];
  actions: ActionDraft[];
}

const ALL_MAILBOXES = 'all';
let nextKey = 1;
const newCondition = (): ConditionDraft => ({
  key: nextKey++,
  field: 'subject',
  header: '',
  mode: 'wildcard',
  pattern: '',
  caseSensitive: false,
  negate: false,
});
const newAction = (): ActionDraft => ({ key: nextKey++, type: 'setPriority', value: 'high' });

function actionValue(action: RuleAction): string {
  switch (action.type) {
    case 'setPriority':
    case 'setStatus':
    case 'setCategory':
      return action.value;
    case 'addTags':
    case 'addRecipients':
      return action.value.join(', ');
    case 'assign':
      return String(action.adminUserId);
    default:
      return '';
  }
}

function draftFromRule(rule: PipingRule): RuleDraft {
  return {
    name: rule.name,
    enabled: rule.enabled,
    match: rule.match,
    mailboxId: rule.mailboxId === null ? ALL_MAILBOXES : String(rule.mailboxId),
    conditions: rule.conditions.map((condition) => ({
      key: nextKey++,
      field: condition.field,
      header: condition.header ?? '',
      mode: condition.mode,
      pattern: condition.pattern,
      caseSensitive: condition.caseSensitive === true,
      negate: condition.negate === true,
    })),
    actions: rule.actions.map((action) => ({
      key: nextKey++,
      type: action.type,
      value: actionValue(action),
    })),
  };
}

function defaultValue(type: ActionType): string {
  if (type === 'setPriority') return 'high';
  if (type === 'setStatus') return 'pending';
  return '';
}

function ruleBody(draft: RuleDraft) {
  return {
    name: draft.name,
    enabled: draft.enabled,
    match: draft.match,
    mailboxId: draft.mailboxId === ALL_MAILBOXES ? null : Number(draft.mailboxId),
    conditions: draft.conditions.map((condition) => ({
      field: condition.field,
      ...(condition.field === 'header' ? { header: condition.header } : {}),
      mode: condition.mode,
      pattern: condition.pattern,
      caseSensitive: condition.caseSensitive,
      negate: condition.negate,
    })),
    actions: draft.actions.map((action) => {
      switch (action.type) {
        case 'setPriority':
        case 'setStatus':
        case 'setCategory':
          return { type: action.type, value: action.value };
        case 'addTags':
        case 'addRecipients':
          return { type: action.type, value: splitLines(action.value) };
        case 'assign':
          return {
            type: action.type,
            adminUserId: /^\d+$/.test(action.value.trim()) ? Number(action.value) : action.value,
          };
        default:
          return { type: action.type };
      }
    }),
  };
}

export const RuleEditor = () => {
  const t = useT();
  const { id } = useParams<{ id: string }>();
  const existingId = id && /^\d+$/.test(id) ? Number(id) : null;
  const navigate = useNavigate();
  const { get, post, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { mailboxes } = useMailboxes();
  const { users } = useAdminUserOptions();
  const [draft, setDraft] = useState<RuleDraft>(() => ({
    name: '',
    enabled: true,
    match: 'all',
    mailboxId: ALL_MAILBOXES,
    conditions: [newCondition()],
    actions: [newAction()],
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(existingId !== null);
  const [loadError, setLoadError] = useState(false);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (existingId === null) return;
    let cancelled = false;
    get<{ data: PipingRule[] }>(`${BASE}/piping-rules`)
      .then(({ data }) => {
        if (cancelled) return;
        const rule = data.data.find((candidate) => candidate.id === existingId);
        if (rule) setDraft(draftFromRule(rule));
        else setLoadError(true);
      })
      .catch(() => !cancelled && setLoadError(true))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [existingId, get]);

  const fields = fieldLabels(t);
  const modes = modeLabels(t);
  const actionNames = actionLabels(t);
  const priorities = priorityLabels(t);
  const statuses = statusLabels(t);

  const setCondition = (index: number, patch: Partial<ConditionDraft>) =>
    setDraft((current) => ({
      ...current,
      conditions: current.conditions.map((condition, i) =>
        i === index ? { ...condition, ...patch } : condition
      ),
    }));
  const setAction = (index: number, patch: Partial<ActionDraft>) =>
    setDraft((current) => ({
      ...current,
      actions: current.actions.map((action, i) => (i === index ? { ...action, ...patch } : action)),
    }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    try {
      const body = ruleBody(draft);
      if (existingId === null) await post(`${BASE}/piping-rules`, body);
      else await put(`${BASE}/piping-rules/${existingId}`, body);
      toggleNotification({ type: 'success', message: t('settings.rules.saved', 'Rule saved') });
      navigate('/settings/email-piping/rules');
    } catch (error) {
      const problem = readServerError(error);
      setErrors(problem.fields);
      toggleNotification({ type: 'danger', message: problem.message });
    } finally {
      setSaving(false);
    }
  };

  if (loading) return <Page.Loading />;
  if (loadError) return <Page.Error />;

  return (
    <form onSubmit={save} noValidate>
      <SettingsPage
        title={
          existingId === null
            ? t('settings.rules.createTitle', 'New piping rule')
            : t('settings.rules.editTitle', 'Edit piping rule')
        }
        subtitle={t(
          'settings.rules.editorSubtitle',
          'When a new mail matches the conditions, the actions apply to the ticket it opens.'
        )}
        navigationAction={<BackButton fallback="/settings/email-piping/rules" />}
        primaryAction={
          <Button type="submit" startIcon={<Check />} loading={saving}>
            {t('settings.common.save', 'Save')}
          </Button>
        }
      >
        <Flex direction="column" alignItems="stretch" gap={6}>
          <Section title={t('settings.rules.section.rule', 'Rule')}>
            <Grid.Root gap={4}>
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <TextField
                  name="name"
                  label={t('settings.rules.name', 'Name')}
                  required
                  value={draft.name}
                  error={errors.name}
                  onChange={(name) => setDraft((current) => ({ ...current, name }))}
                />
              </Grid.Item>
              <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                <SelectField
                  name="mailboxId"
                  label={t('settings.rules.mailbox', 'Mailbox')}
                  value={draft.mailboxId}
                  error={errors.mailboxId}
                  onChange={(mailboxId) => setDraft((current) => ({ ...current, mailboxId }))}
                  options={[
                    { value: ALL_MAILBOXES, label: t('settings.rules.allMailboxes', 'All mailboxes') },
                    ...(mailboxes ?? []).map((mailbox) => ({
                      value: String(mailbox.id),
                      label: mailbox.name,
                    })),
                  ]}
                />
              </Grid.Item>
              <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                <ToggleField
                  name="enabled"
                  label={t('settings.rules.enabled', 'Enabled')}
                  checked={draft.enabled}
                  error={errors.enabled}
                  onChange={(enabled) => setDraft((current) => ({ ...current, enabled }))}
                />
              </Grid.Item>
            </Grid.Root>
          </Section>

          <Section
            title={t('settings.rules.section.conditions', 'Conditions')}
            description={t(
              'settings.rules.conditionsHint',
              'Wildcards: * matches anything, so *Urgent* means "contains Urgent". Regular expressions are searched anywhere in the value; unsafe ones are refused.'
            )}
          >
            <Box maxWidth="320px">
              <SelectField
                name="match"
                label={t('settings.rules.match', 'The rule matches when')}
                value={draft.match}
                error={errors.match}
                onChange={(match) => setDraft((current) => ({ ...current, match: match as 'all' | 'any' }))}
                options={[
                  { value: 'all', label: t('settings.rules.match.all', 'all conditions hold') },
                  { value: 'any', label: t('settings.rules.match.any', 'any condition holds') },
                ]}
              />
            </Box>
            {errors.conditions ? (
              <Typography variant="pi" textColor="danger600">
                {errors.conditions}
              </Typography>
            ) : null}
            {draft.conditions.map((condition, index) => {
              const at = `conditions[${index}]`;
              return (
                <Box
                  key={condition.key}
                  padding={4}
                  background="neutral100"
                  hasRadius
                  role="group"
                  aria-label={t('settings.rules.conditionN', 'Condition {n}', { n: index + 1 })}
                  data-condition-index={index}
                >
                  <Grid.Root gap={4}>
                    <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                      <SelectField
                        name={`${at}.field`}
                        label={t('settings.rules.condition.field', 'Field')}
                        value={condition.field}
                        error={errors[`${at}.field`]}
                        onChange={(field) => setCondition(index, { field: field as ConditionField })}
                        options={CONDITION_FIELDS.map((value) => ({ value, label: fields[value] }))}
                      />
                    </Grid.Item>
                    {condition.field === 'header' ? (
                      <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                        <TextField
                          name={`${at}.header`}
                          label={t('settings.rules.condition.header', 'Header name')}
                          placeholder="X-Priority"
                          value={condition.header}
                          error={errors[`${at}.header`]}
                          onChange={(header) => setCondition(index, { header })}
                        />
                      </Grid.Item>
                    ) : null}
                    <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                      <SelectField
                        name={`${at}.mode`}
                        label={t('settings.rules.condition.mode', 'Match')}
                        value={condition.mode}
                        error={errors[`${at}.mode`]}
                        onChange={(mode) => setCondition(index, { mode: mode as MatchMode })}
                        options={MATCH_MODES.map((value) => ({ value, label: modes[value] }))}
                      />
                    </Grid.Item>
                    <Grid.Item
                      col={condition.field === 'header' ? 3 : 6}
                      s={12}
                      direction="column"
                      alignItems="stretch"
                    >
                      <TextField
                        name={`${at}.pattern`}
                        label={t('settings.rules.condition.pattern', 'Pattern')}
                        value={condition.pattern}
                        error={errors[`${at}.pattern`]}
                        onChange={(pattern) => setCondition(index, { pattern })}
                      />
                    </Grid.Item>
                  </Grid.Root>
                  <Flex gap={6} paddingTop={3} alignItems="center" justifyContent="space-between">
                    <Flex gap={6}>
                      <Checkbox
                        checked={condition.caseSensitive}
                        onCheckedChange={(value) => setCondition(index, { caseSensitive: value === true })}
                      >
                        {t('settings.rules.condition.caseSensitive', 'Case sensitive')}
                      </Checkbox>
                      <Checkbox
                        checked={condition.negate}
                        onCheckedChange={(value) => setCondition(index, { negate: value === true })}
                      >
                        {t('settings.rules.condition.negate', 'Negate (the condition must not hold)')}
                      </Checkbox>
                    </Flex>
                    <IconButton
                      withTooltip={false}
                      label={t('settings.rules.condition.remove', 'Remove condition {n}', { n: index + 1 })}
                      variant="ghost"
                      disabled={draft.conditions.length === 1}
                      onClick={() =>
                        setDraft((current) => ({
                          ...current,
                          conditions: current.conditions.filter((_, i) => i !== index),
                        }))
                      }
                    >
                      <Trash />
                    </IconButton>
                  </Flex>
                  {errors[at] ? (
                    <Typography variant="pi" textColor="danger600">
                      {errors[at]}
                    </Typography>
                  ) : null}
                </Box>
              );
            })}
            <Box>
              <Button
                type="button"
                variant="secondary"
                startIcon={<Plus />}
                onClick={() =>
                  setDraft((current) => ({ ...current, conditions: [...current.conditions, newCondition()] }))
                }
              >
                {t('settings.rules.addCondition', 'Add a condition')}
              </Button>
            </Box>
          </Section>

          <Section
            title={t('settings.rules.section.actions', 'Actions')}
            description={t(
              'settings.rules.actionsHint',
              'A later rule overrides the priority, status, category and assignee an earlier one set; tags and recipients add up.'
            )}
          >
            {errors.actions ? (
              <Typography variant="pi" textColor="danger600">
                {errors.actions}
              </Typography>
            ) : null}
            {draft.actions.map((action, index) => {
              const at = `actions[${index}]`;
              const valueError = errors[`${at}.value`] ?? errors[`${at}.adminUserId`];
              return (
                <Box
                  key={action.key}
                  padding={4}
                  background="neutral100"
                  hasRadius
                  role="group"
                  aria-label={t('settings.rules.actionN', 'Action {n}', { n: index + 1 })}
                >
                  <Flex gap={4} alignItems="flex-end">
                    <Box flex="1">
                      <SelectField
                        name={`${at}.type`}
                        label={t('settings.rules.action.type', 'Action')}
                        value={action.type}
                        error={errors[`${at}.type`]}
                        onChange={(type) =>
                          setAction(index, {
                            type: type as ActionType,
                            value: defaultValue(type as ActionType),
                          })
                        }
                        options={ACTION_TYPES.map((value) => ({ value, label: actionNames[value] }))}
                      />
                    </Box>
                    <Box flex="2">
                      {action.type === 'setPriority' ? (
                        <SelectField
                          name={`${at}.value`}
                          label={t('settings.rules.action.priority', 'Priority')}
                          value={action.value}
                          error={valueError}
                          onChange={(value) => setAction(index, { value })}
                          options={PRIORITIES.map((value) => ({ value, label: priorities[value] }))}
                        />
                      ) : action.type === 'setStatus' ? (
                        <SelectField
                          name={`${at}.value`}
                          label={t('settings.rules.action.status', 'Status')}
                          value={action.value}
                          error={valueError}
                          onChange={(value) => setAction(index, { value })}
                          options={STATUSES.map((value) => ({ value, label: statuses[value] }))}
                        />
                      ) : action.type === 'assign' && users ? (
                        <SelectField
                          name={`${at}.adminUserId`}
                          label={t('settings.rules.action.assignee', 'Admin user')}
                          value={action.value}
                          error={valueError}
                          onChange={(value) => setAction(index, { value })}
                          options={users}
                        />
                      ) : action.type === 'skipNotifications' || action.type === 'stopProcessing' ? (
                        <Typography variant="pi" textColor="neutral600">
                          {t('settings.rules.action.noValue', 'This action takes no value.')}
                        </Typography>
                      ) : (
                        <TextField
                          name={`${at}.value`}
                          label={
                            action.type === 'assign'
                              ? t('settings.rules.action.assigneeId', 'Admin user id')
                              : action.type === 'setCategory'
                                ? t('settings.rules.action.category', 'Category')
                                : action.type === 'addTags'
                                  ? t('settings.rules.action.tags', 'Tags (separated by commas)')
                                  : t('settings.rules.action.recipients', 'Addresses (separated by commas)')
                          }
                          value={action.value}
                          error={valueError}
                          onChange={(value) => setAction(index, { value })}
                        />
                      )}
                    </Box>
                    <IconButton
                      withTooltip={false}
                      label={t('settings.rules.action.remove', 'Remove action {n}', { n: index + 1 })}
                      variant="ghost"
                      disabled={draft.actions.length === 1}
                      onClick={() =>
                        setDraft((current) => ({
                          ...current,
                          actions: current.actions.filter((_, i) => i !== index),
                        }))
                      }
                    >
                      <Trash />
                    </IconButton>
                  </Flex>
                  {errors[at] ? (
                    <Typography variant="pi" textColor="danger600">
                      {errors[at]}
                    </Typography>
                  ) : null}
                </Box>
              );
            })}
            <Box>
              <Button
                type="button"
                variant="secondary"
                startIcon={<Plus />}
                onClick={() =>
                  setDraft((current) => ({ ...current, actions: [...current.actions, newAction()] }))
                }
              >
                {t('settings.rules.addAction', 'Add an action')}
              </Button>
            </Box>
          </Section>
        </Flex>
      </SettingsPage>
    </form>
  );
};
