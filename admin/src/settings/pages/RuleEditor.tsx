/**
 * The piping rule editor: conditions (field, header name, exact / wildcard / regex, case, negation; all or any of
 * them) and actions. The server validates on save (an unsafe regular expression is refused); each refusal names its
 * field, e.g. `conditions[0].pattern`, and is shown under that field.
 */
import { useEffect } from 'react';
import { useNavigate } from 'react-router-dom';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import { Box, Grid } from '@strapi/design-system';
import { BASE, type PipingRule } from '../api';
import { AddEntryButton } from '../components/buttons';
import { EditorPage } from '../components/EditorPage';
import { ErrorText, GridCell, Section, SelectField, TextField, ToggleField } from '../components/fields';
import { ActionEntry, ConditionEntry } from '../components/RuleEntries';
import {
  ALL_MAILBOXES,
  draftFromRule,
  newAction,
  newCondition,
  newRuleDraft,
  patchAt,
  ruleBody,
  withoutAt,
  type RuleDraft,
} from '../components/ruleDraft';
import { useAdminUserOptions } from '../hooks/useAdminUserOptions';
import { useApiData } from '../hooks/useApiData';
import { bindDraft, useDraft } from '../hooks/useDraft';
import { useEditedId } from '../hooks/useEditedId';
import { useMailboxes } from '../hooks/useMailboxes';
import { useNotify } from '../hooks/useNotify';
import { useServerForm } from '../hooks/useServerForm';
import { settingsPath } from '../paths';
import { useT } from '../useT';

export const RuleEditor = () => {
  const t = useT();
  const existingId = useEditedId();
  const navigate = useNavigate();
  const { post, put } = useFetchClient();
  const notify = useNotify();
  const { options: mailboxOptions } = useMailboxes();
  const { users } = useAdminUserOptions();
  // There is no route for one rule: the list has them all.
  const rules = useApiData<PipingRule[]>(existingId === null ? null : `${BASE}/piping-rules`);
  const rule = rules.data?.find((candidate) => candidate.id === existingId) ?? null;
  const { draft, set, replace } = useDraft<RuleDraft>(newRuleDraft);
  const { errors, send, isSending, clearError } = useServerForm();
  const bind = bindDraft({ draft, set, errors, clearError });

  useEffect(() => {
    if (rule) replace(draftFromRule(rule));
  }, [rule, replace]);

  const save = () =>
    send('save', async () => {
      const body = ruleBody(draft);
      if (existingId === null) await post(`${BASE}/piping-rules`, body);
      else await put(`${BASE}/piping-rules/${existingId}`, body);
      notify.success(t('settings.rules.saved', 'Rule saved'));
      navigate(settingsPath('rules'));
    });

  if (rules.error || (rules.data && !rule)) return <Page.Error />;
  if (existingId !== null && !rule) return <Page.Loading />;

  return (
    <EditorPage
      title={
        existingId === null
          ? t('settings.rules.createTitle', 'New piping rule')
          : t('settings.rules.editTitle', 'Edit piping rule')
      }
      subtitle={t(
        'settings.rules.editorSubtitle',
        'When a new mail matches the conditions, the actions apply to the ticket it opens.'
      )}
      backTo={settingsPath('rules')}
      saving={isSending('save')}
      onSave={save}
    >
      <Section title={t('settings.rules.section.rule', 'Rule')}>
        <Grid.Root gap={4}>
          <GridCell>
            <TextField {...bind.text('name')} label={t('settings.rules.name', 'Name')} required />
          </GridCell>
          <GridCell col={3}>
            <SelectField
              {...bind.text('mailboxId')}
              label={t('settings.rules.mailbox', 'Mailbox')}
              options={[
                { value: ALL_MAILBOXES, label: t('settings.rules.allMailboxes', 'All mailboxes') },
                ...mailboxOptions,
              ]}
            />
          </GridCell>
          <GridCell col={3}>
            <ToggleField {...bind.toggle('enabled')} label={t('settings.rules.enabled', 'Enabled')} />
          </GridCell>
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
            {...bind.text('match')}
            label={t('settings.rules.match', 'The rule matches when')}
            options={[
              { value: 'all', label: t('settings.rules.match.all', 'all conditions hold') },
              { value: 'any', label: t('settings.rules.match.any', 'any condition holds') },
            ]}
          />
        </Box>
        <ErrorText>{errors.conditions}</ErrorText>
        {draft.conditions.map((condition, index) => (
          <ConditionEntry
            key={condition.key}
            entry={condition}
            index={index}
            errors={errors}
            onChange={(patch) => {
              set('conditions', patchAt(draft.conditions, index, patch));
              clearError(`conditions[${index}]`);
            }}
            onRemove={
              draft.conditions.length > 1
                ? () => set('conditions', withoutAt(draft.conditions, index))
                : undefined
            }
          />
        ))}
        <AddEntryButton onClick={() => set('conditions', [...draft.conditions, newCondition()])}>
          {t('settings.rules.addCondition', 'Add a condition')}
        </AddEntryButton>
      </Section>

      <Section
        title={t('settings.rules.section.actions', 'Actions')}
        description={t(
          'settings.rules.actionsHint',
          'A later rule overrides the priority, status, category and assignee an earlier one set; tags and recipients add up.'
        )}
      >
        <ErrorText>{errors.actions}</ErrorText>
        {draft.actions.map((action, index) => (
          <ActionEntry
            key={action.key}
            entry={action}
            index={index}
            errors={errors}
            users={users}
            onChange={(patch) => {
              set('actions', patchAt(draft.actions, index, patch));
              clearError(`actions[${index}]`);
            }}
            onRemove={
              draft.actions.length > 1 ? () => set('actions', withoutAt(draft.actions, index)) : undefined
            }
          />
        ))}
        <AddEntryButton onClick={() => set('actions', [...draft.actions, newAction()])}>
          {t('settings.rules.addAction', 'Add an action')}
        </AddEntryButton>
      </Section>
    </EditorPage>
  );
};
