import { useMemo } from 'react';
import { useNotification } from '@strapi/strapi/admin';
import { readServerError } from '../api';

/** Strapi's notifications, one function per kind; `refusal` shows what the server said of a failed request. */
export function useNotify() {
  const { toggleNotification } = useNotification();
  return useMemo(
    () => ({
      success: (message: string) => toggleNotification({ type: 'success', message }),
      info: (message: string) => toggleNotification({ type: 'info', message }),
      warning: (message: string) => toggleNotification({ type: 'warning', message }),
      danger: (message: string) => toggleNotification({ type: 'danger', message }),
      refusal: (error: unknown) =>
        toggleNotification({ type: 'danger', message: readServerError(error).message }),
    }),
    [toggleNotification]
  );
}
