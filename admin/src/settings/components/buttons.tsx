/** The buttons the settings pages repeat: row actions (icon buttons, their label shown as a tooltip) and Save. */
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { Box, Button, Flex, IconButton } from '@strapi/design-system';
import { Check, Pencil, Plus, Trash } from '@strapi/icons';
import { useT } from '../useT';

/** Opens an item's editor: a link to its page (`to`), or a dialog (`onClick`). */
const EditIconButton = ({ label, to, onClick }: { label: string; to?: string; onClick?(): void }) =>
  to !== undefined ? (
    <IconButton tag={RouterLink} to={to} label={label} variant="ghost">
      <Pencil />
    </IconButton>
  ) : (
    <IconButton label={label} variant="ghost" onClick={onClick}>
      <Pencil />
    </IconButton>
  );

/** Deletes, removes or discards an item (pages ask first where the item is stored). */
export const DeleteIconButton = ({
  label,
  onClick,
  disabled,
}: {
  label: string;
  onClick(): void;
  disabled?: boolean;
}) => (
  <IconButton label={label} variant="ghost" disabled={disabled} onClick={onClick}>
    <Trash />
  </IconButton>
);

/**
 * The actions of a list row: `children` (Run now …), then Edit (a link `editTo`, or `onEdit`) and Delete, labelled
 * with the item's name ("Edit Support desk") for screen readers and the tooltip.
 */
export const RowActions = ({
  name,
  editTo,
  onEdit,
  onDelete,
  children,
}: {
  name: string;
  editTo?: string;
  onEdit?(): void;
  onDelete(): void;
  children?: ReactNode;
}) => {
  const t = useT();
  return (
    <Flex gap={1}>
      {children}
      <EditIconButton
        to={editTo}
        onClick={onEdit}
        label={t('settings.common.edit', 'Edit {name}', { name })}
      />
      <DeleteIconButton label={t('settings.common.delete', 'Delete {name}', { name })} onClick={onDelete} />
    </Flex>
  );
};

/** Adds one more entry to a list inside a form (a condition, an action). */
export const AddEntryButton = ({ onClick, children }: { onClick(): void; children: ReactNode }) => (
  <Box>
    <Button type="button" variant="secondary" startIcon={<Plus />} onClick={onClick}>
      {children}
    </Button>
  </Box>
);

/** "Save": submits its form unless given an `onClick`. */
export const SaveButton = ({
  loading,
  disabled,
  size,
  onClick,
}: {
  loading: boolean;
  disabled?: boolean;
  size?: 'S' | 'M' | 'L';
  onClick?(): void;
}) => {
  const t = useT();
  return (
    <Button
      type={onClick ? 'button' : 'submit'}
      size={size}
      startIcon={<Check />}
      loading={loading}
      disabled={disabled}
      onClick={onClick}
    >
      {t('settings.common.save', 'Save')}
    </Button>
  );
};
