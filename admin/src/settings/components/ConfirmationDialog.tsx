/**
 * Asks before an action on one item (delete, lift, discard, reset): Strapi's own ConfirmDialog in the design system's
 * Dialog, as Strapi's plugins use it. Open while `item` is set; Confirm runs `onConfirm(item)` and closes, Cancel only
 * closes. Either way `onClose` is called, so the page clears `item`.
 */
import { useRef, type ReactNode } from 'react';
import { Dialog } from '@strapi/design-system';
import { ConfirmDialog } from '@strapi/strapi/admin';

interface ConfirmationDialogProps<T> {
  item: T | null;
  onClose(): void;
  onConfirm(item: T): Promise<void> | void;
  /** The question, about the item. */
  children(item: T): ReactNode;
}

export function ConfirmationDialog<T>({ item, onClose, onConfirm, children }: ConfirmationDialogProps<T>) {
  // The item asked about last: the question keeps its text while the dialog fades out after `item` is cleared.
  const asked = useRef(item);
  if (item !== null) asked.current = item;
  const shown = asked.current;
  return (
    <Dialog.Root open={item !== null} onOpenChange={(open) => !open && onClose()}>
      {shown !== null ? (
        <ConfirmDialog onConfirm={() => onConfirm(shown)}>{children(shown)}</ConfirmDialog>
      ) : null}
    </Dialog.Root>
  );
}
