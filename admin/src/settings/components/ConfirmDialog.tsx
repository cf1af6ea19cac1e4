/**
 * A confirmation dialog built from the design system's Dialog alone. Strapi's own `ConfirmDialog` is not used: the
 * plugin's build bundles its own copy of the design system, and Strapi's dialog parts would look for a Dialog
 * context of Strapi's copy.
 */
import { useState, type ReactNode } from 'react';
import { Button, Dialog } from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import { useT } from '../useT';

export const ConfirmDialog = ({
  open,
  onCancel,
  onConfirm,
  children,
}: {
  open: boolean;
  onCancel(): void;
  onConfirm(): Promise<void> | void;
  children: ReactNode;
}) => {
  const t = useT();
  const [confirming, setConfirming] = useState(false);
  return (
    <Dialog.Root open={open} onOpenChange={(next) => !next && onCancel()}>
      <Dialog.Content>
        <Dialog.Header>{t('settings.common.confirmTitle', 'Confirmation')}</Dialog.Header>
        <Dialog.Body icon={<WarningCircle fill="danger600" width="24px" height="24px" />}>
          {children}
        </Dialog.Body>
        <Dialog.Footer>
          <Dialog.Cancel>
            <Button fullWidth variant="tertiary">
              {t('settings.common.cancel', 'Cancel')}
            </Button>
          </Dialog.Cancel>
          <Dialog.Action>
            <Button
              fullWidth
              variant="danger-light"
              loading={confirming}
              onClick={async () => {
                setConfirming(true);
                try {
                  await onConfirm();
                } finally {
                  setConfirming(false);
                }
              }}
            >
              {t('settings.common.confirm', 'Confirm')}
            </Button>
          </Dialog.Action>
        </Dialog.Footer>
      </Dialog.Content>
    </Dialog.Root>
  );
};
