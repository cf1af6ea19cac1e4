/**
 * Settings → Email piping → Block lists: mail whose sender or subject matches a block rule is recorded and dropped
 * before anything else happens. The defaults (mailer-daemon@*, noreply@*, …) are rules like any other.
 */
import { useState, type FormEvent } from 'react';
import { Page, useFetchClient } from '@strapi/strapi/admin';
import {
  Button,
  Checkbox,
  EmptyStateLayout,
  Flex,
  Modal,
  Switch,
  Td,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { BLOCK_FIELDS, MATCH_MODES, type BlockField, type MatchMode } from '../../../../contracts/rules';
import { BASE, type BlockRule } from '../api';
import { RowActions } from '../components/buttons';
import { ConfirmationDialog } from '../components/ConfirmationDialog';
import { SelectField, TextField } from '../components/fields';
import { ListTable } from '../components/ListTable';
import { PluginPage } from '../components/PluginPage';
import { fieldLabels, modeLabels } from '../components/ruleLabels';
import { settingsPage } from '../components/SettingsPage';
import { useApiList } from '../hooks/useApiData';
import { bindDraft, useDraft } from '../hooks/useDraft';
import { useFormatDateTime } from '../hooks/useFormatDateTime';
import { useNotify } from '../hooks/useNotify';
import { useServerActions } from '../hooks/useServerActions';
import { useServerForm } from '../hooks/useServerForm';
import { useT } from '../useT';

interface BlockDraft {
  id: number | null;
  field: BlockField;
  mode: MatchMode;
  pattern: string;
  caseSensitive: boolean;
  enabled: boolean;
  note: string;
}

const emptyBlock = (): BlockDraft => ({
  id: null,
  field: 'sender',
  mode: 'wildcard',
  pattern: '',
  caseSensitive: false,
  enabled: true,
  note: '',
});

const draftFromBlock = (rule: BlockRule): BlockDraft => ({
  id: rule.id,
  field: rule.field,
  mode: rule.mode,
  pattern: rule.pattern,
  caseSensitive: rule.caseSensitive === true,
  enabled: rule.enabled,
  note: rule.note ?? '',
});

const BlockRuleModal = ({
  initial,
  onClose,
  onSaved,
}: {
  initial: BlockDraft;
  onClose(): void;
  onSaved(rule: BlockRule): void;
}) => {
  const t = useT();
  const { post, put } = useFetchClient();
  const { draft, set } = useDraft(initial);
  const { errors, send, isSending, clearError } = useServerForm();
  const bind = bindDraft({ draft, set, errors, clearError });
  const fields = fieldLabels(t);
  const modes = modeLabels(t);

  const save = (event: FormEvent) => {
    event.preventDefault();
    event.stopPropagation();
    const body = {
      field: draft.field,
      mode: draft.mode,
      pattern: draft.pattern,
      caseSensitive: draft.caseSensitive,
      enabled: draft.enabled,
      note: draft.note.trim() === '' ? null : draft.note.trim(),
    };
    return send(
      'save',
      async () => {
        const { data } =
          draft.id === null
            ? await post<{ data: BlockRule }>(`${BASE}/block-rules`, body)
            : await put<{ data: BlockRule }>(`${BASE}/block-rules/${draft.id}`, body);
        onSaved(data.data);
      },
      // Shown in the dialog, not behind it: a refusal that names no field is about the pattern.
      { notify: false, fallbackField: 'pattern' }
    );
  };

  return (
    <Modal.Root open onOpenChange={(open) => !open && onClose()}>
      <Modal.Content>
        <form onSubmit={save} noValidate>
          <Modal.Header>
            <Modal.Title>
              {draft.id === null
                ? t('settings.block.createTitle', 'New block rule')
                : t('settings.block.editTitle', 'Edit block rule')}
            </Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <Flex direction="column" alignItems="stretch" gap={4}>
              <SelectField
                {...bind.text('field')}
                label={t('settings.block.field', 'Field')}
                options={BLOCK_FIELDS.map((value) => ({ value, label: fields[value] }))}
              />
              <SelectField
                {...bind.text('mode')}
                label={t('settings.block.mode', 'Match')}
                options={MATCH_MODES.map((mode) => ({ value: mode, label: modes[mode] }))}
              />
              <TextField
                {...bind.text('pattern')}
                label={t('settings.block.pattern', 'Pattern')}
                hint={t(
                  'settings.block.patternHint',
                  'For example spammer@example.com, *@spam.example or ^Buy now'
                )}
                required
              />
              <TextField {...bind.text('note')} label={t('settings.block.note', 'Note')} />
              <Flex gap={6}>
                <Checkbox
                  checked={draft.caseSensitive}
                  onCheckedChange={(checked) => set('caseSensitive', checked === true)}
                >
                  {t('settings.rules.condition.caseSensitive', 'Case sensitive')}
                </Checkbox>
                <Checkbox
                  checked={draft.enabled}
                  onCheckedChange={(checked) => set('enabled', checked === true)}
                >
                  {t('settings.block.enabled', 'Enabled')}
                </Checkbox>
              </Flex>
            </Flex>
          </Modal.Body>
          <Modal.Footer>
            <Modal.Close>
              <Button variant="tertiary" type="button">
                {t('settings.common.cancel', 'Cancel')}
              </Button>
            </Modal.Close>
            <Button type="submit" loading={isSending('save')}>
              {t('settings.common.save', 'Save')}
            </Button>
          </Modal.Footer>
        </form>
      </Modal.Content>
    </Modal.Root>
  );
};

const BlockRules = () => {
  const t = useT();
  const date = useFormatDateTime();
  const { put, del } = useFetchClient();
  const notify = useNotify();
  const rules = useApiList<BlockRule>(`${BASE}/block-rules`);
  const { run } = useServerActions<number>();
  const [editing, setEditing] = useState<BlockDraft | null>(null);
  const [toDelete, setToDelete] = useState<BlockRule | null>(null);
  const fields = fieldLabels(t);
  const modes = modeLabels(t);

  const toggle = (rule: BlockRule, enabled: boolean) =>
    run(rule.id, async () => {
      const { data } = await put<{ data: BlockRule }>(`${BASE}/block-rules/${rule.id}`, { enabled });
      rules.replace(data.data);
    });

  const remove = (rule: BlockRule) =>
    run(rule.id, async () => {
      await del(`${BASE}/block-rules/${rule.id}`);
      rules.remove(rule.id);
    });

  if (rules.error) return <Page.Error />;
  if (!rules.data) return <Page.Loading />;

  return (
    <PluginPage
      title={t('settings.block.title', 'Block lists')}
      subtitle={t(
        'settings.block.subtitle',
        'Mail whose sender or subject matches one of these rules is recorded and dropped: no ticket, no answer.'
      )}
      primaryAction={
        <Button startIcon={<Plus />} onClick={() => setEditing(emptyBlock())}>
          {t('settings.block.add', 'Add a block rule')}
        </Button>
      }
    >
      <ListTable
        columns={[
          t('settings.block.column.rule', 'Rule'),
          t('settings.block.column.note', 'Note'),
          t('settings.rules.column.hits', 'Hits'),
          t('settings.block.column.lastHit', 'Last hit'),
          t('settings.rules.column.enabled', 'Enabled'),
          t('settings.common.actions', 'Actions'),
        ]}
        rows={rules.data}
        empty={<EmptyStateLayout content={t('settings.block.empty', 'No block rule.')} />}
      >
        {(rule) => {
          const label = `${fields[rule.field]} ${modes[rule.mode]} “${rule.pattern}”`;
          return (
            <Tr key={rule.id} data-block-rule-id={rule.id}>
              <Td>
                <Typography>{label}</Typography>
                {rule.caseSensitive ? (
                  <Typography variant="pi" textColor="neutral600">
                    {' '}
                    {t('settings.rules.condition.caseSensitive', 'Case sensitive')}
                  </Typography>
                ) : null}
              </Td>
              <Td>
                <Typography variant="pi" textColor="neutral600">
                  {rule.note ?? ''}
                </Typography>
              </Td>
              <Td>
                <Typography>{rule.hitCount ?? 0}</Typography>
              </Td>
              <Td>
                <Typography variant="pi" textColor="neutral600">
                  {date(rule.lastHitAt) ?? '–'}
                </Typography>
              </Td>
              <Td>
                <Switch
                  aria-label={t('settings.block.enable', 'Enable {rule}', { rule: label })}
                  checked={rule.enabled}
                  onCheckedChange={(checked) => toggle(rule, checked)}
                />
              </Td>
              <Td>
                <RowActions
                  name={label}
                  onEdit={() => setEditing(draftFromBlock(rule))}
                  onDelete={() => setToDelete(rule)}
                />
              </Td>
            </Tr>
          );
        }}
      </ListTable>
      {editing ? (
        <BlockRuleModal
          initial={editing}
          onClose={() => setEditing(null)}
          onSaved={(rule) => {
            setEditing(null);
            rules.upsert(rule);
            notify.success(t('settings.block.saved', 'Block rule saved'));
          }}
        />
      ) : null}
      <ConfirmationDialog item={toDelete} onClose={() => setToDelete(null)} onConfirm={remove}>
        {() => t('settings.block.deleteConfirm', 'Delete this block rule?')}
      </ConfirmationDialog>
    </PluginPage>
  );
};

export default settingsPage(BlockRules);
